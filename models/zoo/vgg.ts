/**
 * VGG-16 (Simonyan & Zisserman, "Very deep convolutional networks for large-scale image recognition", ICLR 2015),
 * configuration D as torchvision's vgg16 (no batch norm): 13 convs 3×3 p1 with bias and ReLU in five stages of
 * 64, 128, 256, 512, 512 filters, each ended by maxpool 2/2; (adaptive avg pool 7×7); fc 4096 → ReLU → dropout →
 * fc 4096 → ReLU → dropout → fc 1000. 138,357,544 parameters; ≈ 15.5 G forward MACs at 224×224.
 */
import { type ModelDocument, Net, adaptiveAvgPool } from './net.js';

const CONFIG_D = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

export function vgg16({ batch, resolution }: { batch: number; resolution: number }): ModelDocument {
  const net = new Net();
  net.input('image', [batch, 3, resolution, resolution]);
  let s = resolution;
  CONFIG_D.forEach((stage, i) => {
    stage.forEach((filters, j) => {
      net.add(`conv${i + 1}_${j + 1}`, 'conv2d', { filters, kernel: 3, padding: 1 });
      net.add(`conv${i + 1}_${j + 1}.relu`, 'relu');
    });
    net.add(`pool${i + 1}`, 'maxPool2d', { kernel: 2 });
    s = Math.floor(s / 2);
  });
  adaptiveAvgPool(net, 'avgpool', s, 7);
  net.add('flat', 'flatten');
  net.add('fc6', 'dense', { units: 4096 });
  net.add('fc6.relu', 'relu');
  net.add('drop6', 'dropout', { p: 0.5 });
  net.add('fc7', 'dense', { units: 4096 });
  net.add('fc7.relu', 'relu');
  net.add('drop7', 'dropout', { p: 0.5 });
  net.add('fc8', 'dense', { units: 1000 });
  return net.doc('vgg16', 'VGG-16 configuration D (Simonyan & Zisserman 2015), torchvision layout', { init: 'he' });
}
