/** The hardware flags as yargs options, from their one definition (arch/flags.ts): `simulate` and `sweep` share them. */
import type { Options } from 'yargs';
import { HW_FLAGS } from '../arch/flags.js';

/** Every hardware flag as a string option (values are validated by arch/, so errors name the flag); `describe` adapts the help text. */
export function hwFlagOptions(describe: (text: string) => string): Record<string, Options> {
  return Object.fromEntries(Object.values(HW_FLAGS).map((f) => [f.flag, { type: 'string', describe: describe(f.describe) } satisfies Options]));
}
