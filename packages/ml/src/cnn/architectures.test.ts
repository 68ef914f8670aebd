import * as tf from '@tensorflow/tfjs';
import { buildCnn, type CnnArch } from './architectures';

/** The tutorial's Keras definitions, written as (layer, argument) pairs. */
const KERAS: Record<CnnArch, string[]> = {
  cnn1: ['Conv2D 32', 'MaxPooling2D 2', 'Dropout 0.2', 'Flatten', 'Dense 128 relu', 'Dense 10 softmax'],
  cnn3: [
    'Conv2D 32', 'MaxPooling2D 2', 'Dropout 0.25', 'Conv2D 64', 'MaxPooling2D 2', 'Dropout 0.25', 'Conv2D 128', 'Dropout 0.4',
    'Flatten', 'Dense 128 relu', 'Dropout 0.3', 'Dense 10 softmax',
  ],
  cnn4: [
    'Conv2D 32', 'BatchNormalization', 'Conv2D 32', 'BatchNormalization', 'MaxPooling2D 2', 'Dropout 0.25',
    'Conv2D 64', 'BatchNormalization', 'Dropout 0.25', 'Conv2D 128', 'BatchNormalization', 'MaxPooling2D 2', 'Dropout 0.25',
    'Flatten', 'Dense 512 relu', 'BatchNormalization', 'Dropout 0.5', 'Dense 128 relu', 'BatchNormalization', 'Dropout 0.5',
    'Dense 10 softmax',
  ],
};

function describeLayer(l: tf.layers.Layer): string {
  const c = l.getConfig() as Record<string, unknown>;
  switch (l.getClassName()) {
    case 'Conv2D':
      expect(c.kernelSize).toEqual([3, 3]);
      expect(c.activation).toBe('relu');
      expect(c.padding).toBe('valid');
      return `Conv2D ${c.filters}`;
    case 'MaxPooling2D':
      expect(c.strides).toEqual(c.poolSize);
      return `MaxPooling2D ${(c.poolSize as number[])[0]}`;
    case 'Dropout':
      return `Dropout ${c.rate}`;
    case 'Dense':
      return `Dense ${c.units} ${c.activation}`;
    default:
      return l.getClassName();
  }
}

/** Parameter count from the Keras shape rules, independently of tfjs: 3x3 valid convs, 2x2 pools, BN = 4/channel. */
function kerasParams(spec: string[], h: number, channels: number): number {
  let side = h;
  let ch = channels;
  let flat = 0;
  let total = 0;
  for (const s of spec) {
    const [kind, arg] = s.split(' ');
    const n = Number(arg);
    if (kind === 'Conv2D') {
      total += 3 * 3 * ch * n + n;
      ch = n;
      side -= 2;
    } else if (kind === 'MaxPooling2D') side = Math.floor(side / 2);
    else if (kind === 'BatchNormalization') total += 4 * (flat || ch);
    else if (kind === 'Flatten') flat = side * side * ch;
    else if (kind === 'Dense') {
      total += flat * n + n;
      flat = n;
    }
  }
  return total;
}

describe('buildCnn', () => {
  it.each(['cnn1', 'cnn3', 'cnn4'] as const)('%s has the tutorial layers and Keras parameter count', (arch) => {
    const model = buildCnn(arch, 10, [28, 28, 1], 1);
    try {
      expect(model.layers.map(describeLayer)).toEqual(KERAS[arch]);
      expect(model.countParams()).toBe(kerasParams(KERAS[arch], 28, 1));
      expect(model.outputs[0].shape).toEqual([null, 10]);
    } finally {
      model.dispose();
    }
  });

  it('matches the known Keras summaries (1-conv: 693,962 parameters)', () => {
    expect(kerasParams(KERAS.cnn1, 28, 1)).toBe(693_962);
    expect(kerasParams(KERAS.cnn3, 28, 1)).toBe(241_546);
    expect(kerasParams(KERAS.cnn4, 28, 1)).toBe(1_221_546);
  });

  it('sizes the output layer by the class count', () => {
    const model = buildCnn('cnn3', 4, [28, 28, 1], 1);
    expect(model.outputs[0].shape).toEqual([null, 4]);
    expect(model.countParams()).toBe(241_546 - 6 * 129);
    model.dispose();
  });

  it('is reproducible by seed', () => {
    const weights = (seed: number) => {
      const m = buildCnn('cnn1', 10, [28, 28, 1], seed);
      const v = Array.from(m.layers[0].getWeights()[0].dataSync().slice(0, 20));
      m.dispose();
      return v;
    };
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });
});
