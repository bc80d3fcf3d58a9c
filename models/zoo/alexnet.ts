/**
 * AlexNet, torchvision's variant (torchvision.models.alexnet, after Krizhevsky's "One weird trick…" 2014 single-GPU
 * net, not the two-tower 2012 paper): conv 64@11×11/4 p2 → maxpool 3/2 → conv 192@5×5 p2 → maxpool 3/2 → conv 384,
 * 256, 256 @3×3 p1 → maxpool 3/2 → (adaptive avg pool 6×6) → dropout → fc 4096 → dropout → fc 4096 → fc 1000; ReLU
 * after every conv and hidden fc; no local response norm. 61,100,840 parameters; ≈ 0.71 G forward MACs at 224×224.
 * The smallest resolution it accepts is 63.
 */
import { type ModelDocument, Net, adaptiveAvgPool, convOut } from './net.js';

export function alexnet({ batch, resolution }: { batch: number; resolution: number }): ModelDocument {
  const net = new Net();
  net.input('image', [batch, 3, resolution, resolution]);
  let s = resolution;
  const conv = (name: string, filters: number, kernel: number, stride: number, padding: number) => {
    net.add(name, 'conv2d', { filters, kernel, stride, padding });
    net.add(`${name}.relu`, 'relu');
    s = convOut(s, kernel, stride, padding);
  };
  const pool = (name: string) => {
    net.add(name, 'maxPool2d', { kernel: 3, stride: 2 });
    s = convOut(s, 3, 2, 0);
  };
  conv('conv1', 64, 11, 4, 2);
  pool('pool1');
  conv('conv2', 192, 5, 1, 2);
  pool('pool2');
  conv('conv3', 384, 3, 1, 1);
  conv('conv4', 256, 3, 1, 1);
  conv('conv5', 256, 3, 1, 1);
  pool('pool5');
  adaptiveAvgPool(net, 'avgpool', s, 6);
  net.add('flat', 'flatten');
  net.add('drop6', 'dropout', { p: 0.5 });
  net.add('fc6', 'dense', { units: 4096 });
  net.add('fc6.relu', 'relu');
  net.add('drop7', 'dropout', { p: 0.5 });
  net.add('fc7', 'dense', { units: 4096 });
  net.add('fc7.relu', 'relu');
  net.add('fc8', 'dense', { units: 1000 });
  return net.doc('alexnet', 'AlexNet, torchvision variant (Krizhevsky 2014 "one weird trick" single tower)', { init: 'he' });
}
