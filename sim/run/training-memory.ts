/**
 * Training memory: the forward outputs a step keeps for backprop (every forward op's result, at the activation width)
 * and the optimizer state (what each update reads beyond W and dW), against the total SRAM. The excess is written to
 * DRAM in the forward pass and read back in the backward pass.
 */
import { type HwConfig, PRECISION_BITS } from '../arch/types.js';
import type { LoweredOp } from '../lower/types.js';
import { exact, packedBytes } from '../timing/gemm-memory.js';
import type { TrainingMemory } from './cost-report.js';

/** What a step keeps and spills; the spill's stall cycles need the timed entries (run/totals.ts prices them). */
export function trainingMemory(ops: readonly LoweredOp[], hw: HwConfig): Omit<TrainingMemory, 'spillStallCycles'> {

  let activations = 0, state = 0;
  for (const op of ops) {
    if (op.pass === 'forward') activations += op.kind === 'gemm' ? op.operands.c.uniqueElements : op.elements;
    if (op.kind === 'vector' && op.op === 'update') state += op.readElements - 2 * op.elements;
  }
  const activationBytes = exact(packedBytes(activations, PRECISION_BITS[hw.numerics.input]), 'training.activationBytes');
  const optimizerStateBytes = exact(packedBytes(state, PRECISION_BITS[hw.numerics.weight]), 'training.optimizerStateBytes');
  return { activationBytes, optimizerStateBytes, ...trainingSpill(activationBytes, optimizerStateBytes, hw) };
}

/** What does not fit in the SRAMs: the bytes kept beyond their total capacity. */
export function trainingSpill(activationBytes: number, optimizerStateBytes: number, hw: HwConfig): Pick<TrainingMemory, 'onChipBytes' | 'spillBytes' | 'spillDramBytes'> {
  const onChipBytes = (hw.sram.ifmapKib + hw.sram.filterKib + hw.sram.ofmapKib) * 1024;
  const spillBytes = Math.max(0, activationBytes + optimizerStateBytes - onChipBytes);
  return { onChipBytes, spillBytes, spillDramBytes: 2 * spillBytes };
}

/** The warning a spill earns in the report. */
export function spillWarning(t: Omit<TrainingMemory, 'spillStallCycles'>): string | undefined {
  if (t.spillBytes <= 0) return undefined;
  return `training keeps ${t.activationBytes + t.optimizerStateBytes} bytes of activations and optimizer state, more than the ${t.onChipBytes} bytes of SRAM: ${t.spillBytes} bytes spill to DRAM and back`;
}
