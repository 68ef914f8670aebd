import { backboneOnnx, loadBackbone } from '../backbones/load-backbone';
import type { ResolveOptions } from '../backbones/resolve-file';
import { createOnnxRunner } from '../onnx/onnx-session';
import { initTf, tf } from '../tf/backend';
import { outputWidth, resolveOutputs } from '../tflite/ir-utils';

export type EngineName = 'onnxruntime' | 'tfjs';

/** Runs a backbone on an NHWC batch and returns the concatenated flat outputs, [N * dim]. */
export interface FeatureEngine {
  readonly name: EngineName;
  readonly dim: number;
  readonly layerDims: number[];
  run(batch: Float32Array, shape: [number, number, number, number]): Promise<Float32Array>;
  close(): Promise<void>;
}

const CONCAT = 'embedding';

export async function createFeatureEngine(
  engine: EngineName,
  backbone: string,
  layers: string[],
  threads: number,
  resolve: ResolveOptions = {},
): Promise<FeatureEngine> {
  const { ir } = await loadBackbone(backbone, resolve);
  const resolved = resolveOutputs(ir, layers);
  for (const r of resolved) {
    if (!r.pooled && r.layer.shape.length !== 2) throw new Error(`layer "${r.name}" is a feature map; embed "pool_${r.name}" instead`);
  }
  const layerDims = resolved.map(outputWidth);
  const dim = layerDims.reduce((a, b) => a + b, 0);

  if (engine === 'onnxruntime') {
    const runner = await createOnnxRunner(await backboneOnnx(backbone, layers, CONCAT, resolve), { threads });
    return {
      name: engine,
      dim,
      layerDims,
      async run(batch, shape) {
        const out = await runner.run(batch, shape);
        return out[CONCAT].data;
      },
      close: () => runner.release(),
    };
  }

  await initTf();
  const { buildTfjsBackbone } = await import('../backbones/tfjs-backbone');
  const model = buildTfjsBackbone(ir);
  return {
    name: engine,
    dim,
    layerDims,
    async run(batch, shape) {
      const result = tf.tidy(() => {
        const outs = model.apply(tf.tensor4d(batch, shape), layers);
        return layers.length === 1 ? outs[layers[0]] : tf.concat(layers.map((l) => outs[l]), 1);
      });
      try {
        return (await result.data()) as Float32Array;
      } finally {
        result.dispose();
      }
    },
    async close() {
      model.dispose();
    },
  };
}
