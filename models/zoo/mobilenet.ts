/**
 * MobileNets.
 *
 * V1 (Howard et al., "MobileNets: efficient convolutional neural networks for mobile vision applications", 2017):
 * conv 3×3/2 32 → 13 depthwise-separable blocks (3×3 depthwise → BN → ReLU → 1×1 pointwise → BN → ReLU) of
 * 64, 128/2, 128, 256/2, 256, 512/2, 5×512, 1024/2, 1024 → global average pool → fc 1000. Width multiplier α scales
 * every layer's channels (⌊c·α⌋, as Keras' reference implementation), the resolution multiplier ρ is the input size.
 * At α = 1, 224×224: 4,231,976 trainable parameters (Keras' MobileNet; the paper says 4.2 M) and ≈ 569 M MACs.
 * Padding is symmetric (1 for 3×3), which gives the same sizes as Keras' asymmetric stride-2 padding.
 *
 * V2 (Sandler et al., "MobileNetV2: inverted residuals and linear bottlenecks", CVPR 2018), torchvision's layout:
 * conv 3×3/2 32 → inverted residual blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1)
 * (6,160,3,2) (6,320,1,1) — each: 1×1 expand to t·in → BN → ReLU6 (skipped when t = 1) → 3×3 depthwise with stride
 * s → BN → ReLU6 → 1×1 linear projection → BN, plus the identity when the stride is 1 and in = out — → conv 1×1
 * 1280 → global average pool → dropout 0.2 → fc 1000. Channels are c·α rounded to a multiple of 8 (torchvision's
 * _make_divisible); the last conv keeps 1280 unless α > 1. At α = 1, 224×224: 3,504,872 parameters, ≈ 300 M MACs.
 */
import { type ModelDocument, Net } from './net.js';

interface CnnParams { batch: number; resolution: number; width: number }

export function mobilenetV1({ batch, resolution, width }: CnnParams): ModelDocument {
  const ch = (c: number) => Math.max(1, Math.floor(c * width));
  const net = new Net();
  net.input('image', [batch, 3, resolution, resolution]);
  net.convBn('conv0', ch(32), 3, { stride: 2, padding: 1 });
  const blocks: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  let inCh = ch(32);
  blocks.forEach(([c, stride], i) => {
    net.convBn(`block${i + 1}.dw`, inCh, 3, { stride, padding: 1, groups: inCh });
    net.convBn(`block${i + 1}.pw`, ch(c), 1);
    inCh = ch(c);
  });
  net.add('avgpool', 'globalAvgPool');
  net.add('fc', 'dense', { units: 1000 });
  return net.doc('mobilenet-v1', `MobileNet V1 (Howard et al. 2017), width ${width}, ${resolution}×${resolution}`, { init: 'he' });
}

/** torchvision's _make_divisible: round to the nearest multiple of `divisor`, not going below 90 % of v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

export function mobilenetV2({ batch, resolution, width }: CnnParams): ModelDocument {
  const settings: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  const net = new Net();
  net.input('image', [batch, 3, resolution, resolution]);
  let inCh = makeDivisible(32 * width);
  const lastCh = makeDivisible(1280 * Math.max(1, width));
  net.convBn('features.0', inCh, 3, { stride: 2, padding: 1, act: 'relu6' });
  let idx = 1;
  for (const [t, c, n, s] of settings) {
    const outCh = makeDivisible(c * width);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = Math.round(inCh * t);
      const p = `features.${idx++}`;
      const x = net.last;
      if (t !== 1) net.convBn(`${p}.expand`, hidden, 1, { act: 'relu6' });
      net.convBn(`${p}.dw`, hidden, 3, { stride, padding: 1, groups: hidden, act: 'relu6' });
      net.convBn(`${p}.project`, outCh, 1, { act: null });
      if (stride === 1 && inCh === outCh) net.add(`${p}.add`, 'add', {}, [net.last, x]);
      inCh = outCh;
    }
  }
  net.convBn(`features.${idx}`, lastCh, 1, { act: 'relu6' });
  net.add('avgpool', 'globalAvgPool');
  net.add('dropout', 'dropout', { p: 0.2 });
  net.add('classifier', 'dense', { units: 1000 });
  return net.doc('mobilenet-v2', `MobileNet V2 (Sandler et al. 2018), width ${width}, ${resolution}×${resolution}`, { init: 'he' });
}
