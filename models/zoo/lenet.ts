/**
 * LeNet-5 (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document recognition", Proc. IEEE
 * 1998) on its 32×32 input: C1 6@5×5 → S2 2×2 subsampling → C3 16@5×5 → S4 2×2 → C5 120@5×5 (a conv: 1×1 output at
 * 32×32) → F6 84 → 10 outputs; tanh activations. Simplifications (stated): C3 is fully connected to S2's six maps (the
 * paper's connection table uses 60 of the 96 pairs: 1,516 instead of 2,416 parameters), S2/S4 are plain average pools
 * (the paper's have a trainable coefficient and bias per map), the scaled tanh 1.7159·tanh(2a/3) is a plain tanh and
 * the RBF output layer is a dense layer. The course's 28×28 variant is the file-backed `lenet-digits`.
 * 61,706 parameters, 416,520 forward MACs at 32×32.
 */
import { type ModelDocument, Net } from './net.js';

export function lenet5({ batch, resolution }: { batch: number; resolution: number }): ModelDocument {
  const net = new Net();
  net.input('image', [batch, 1, resolution, resolution]);
  net.add('c1', 'conv2d', { filters: 6, kernel: 5 });
  net.add('c1.tanh', 'tanh');
  net.add('s2', 'avgPool2d', { kernel: 2 });
  net.add('c3', 'conv2d', { filters: 16, kernel: 5 });
  net.add('c3.tanh', 'tanh');
  net.add('s4', 'avgPool2d', { kernel: 2 });
  net.add('c5', 'conv2d', { filters: 120, kernel: 5 });
  net.add('c5.tanh', 'tanh');
  net.add('flat', 'flatten');
  net.add('f6', 'dense', { units: 84 });
  net.add('f6.tanh', 'tanh');
  net.add('output', 'dense', { units: 10 });
  return net.doc('lenet5', 'LeNet-5 (LeCun et al. 1998), 32×32 input, C3 fully connected, tanh, dense output');
}
