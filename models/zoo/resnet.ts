/**
 * ResNet-18/-34/-50 (He, Zhang, Ren & Sun, "Deep residual learning for image recognition", CVPR 2016) in
 * torchvision's layout: conv1 7×7/2 p3 → BN → ReLU → maxpool 3/2 p1; four stages of 64, 128, 256, 512 planes
 * (basic blocks of two 3×3 convs for 18/34; bottlenecks 1×1 → 3×3 → 1×1 ×4 for 50, the stride on the 3×3 conv as in
 * torchvision's "v1.5"); batch norm after every conv (convs have no bias); the downsample projection (1×1 conv with
 * the block's stride → BN) on the first block of a stage whenever the shape changes; ReLU after the residual add;
 * global average pool → fc 1000.
 * Parameters (torchvision): 11,689,512 / 21,797,672 / 25,557,032; forward MACs at 224×224 ≈ 1.81 G / 3.66 G / 4.09 G.
 */
import { type ModelDocument, Net } from './net.js';

export type ResNetDepth = 18 | 34 | 50;
const BLOCKS: Record<ResNetDepth, readonly number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3] };

export function resnet(depth: ResNetDepth, { batch, resolution }: { batch: number; resolution: number }): ModelDocument {
  const bottleneck = depth === 50;
  const expansion = bottleneck ? 4 : 1;
  const net = new Net();
  net.input('image', [batch, 3, resolution, resolution]);
  net.convBn('conv1', 64, 7, { stride: 2, padding: 3 });
  net.add('maxpool', 'maxPool2d', { kernel: 3, stride: 2, padding: 1 });
  let inplanes = 64;
  BLOCKS[depth].forEach((count, s) => {
    const planes = 64 << s;
    for (let b = 0; b < count; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const p = `layer${s + 1}.${b}`;
      const x = net.last;
      if (bottleneck) {
        net.convBn(`${p}.conv1`, planes, 1);
        net.convBn(`${p}.conv2`, planes, 3, { stride, padding: 1 });
        net.convBn(`${p}.conv3`, planes * expansion, 1, { act: null });
      } else {
        net.convBn(`${p}.conv1`, planes, 3, { stride, padding: 1 });
        net.convBn(`${p}.conv2`, planes, 3, { padding: 1, act: null });
      }
      const main = net.last;
      let skip = x;
      if (stride !== 1 || inplanes !== planes * expansion) {
        skip = net.convBn(`${p}.downsample`, planes * expansion, 1, { stride, act: null, input: x });
      }
      net.add(`${p}.add`, 'add', {}, [main, skip]);
      net.add(`${p}.relu`, 'relu');
      inplanes = planes * expansion;
    }
  });
  net.add('avgpool', 'globalAvgPool');
  net.add('fc', 'dense', { units: 1000 });
  return net.doc(`resnet${depth}`, `ResNet-${depth} (He et al. 2016), torchvision layout`, { init: 'he' });
}
