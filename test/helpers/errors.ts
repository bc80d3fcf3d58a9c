import { SimError } from '../../sim/base/errors.js';

/** The SimError a call throws (fails the test if it throws nothing, or something else). */
export function errorOf(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    if (e instanceof SimError) return e;
    throw e;
  }
  throw new Error('expected a SimError');
}
