/**
 * Seconds on the reference machine (2 CPU cores, onnxruntime-node 1.30 with 2 threads, TF.js wasm on one) per unit of
 * work, measured with `npx tsx bench/calibrate-costs.ts`. The plan prices candidates with these instead of timing
 * them, so for a given dataset, seed and budget it chooses the same candidates on a busy or an idle machine; only
 * the wall time varies. Other machines run the same plan (faster or slower).
 */
export const REFERENCE_COSTS = {
  /** Frozen forward pass (batch 32), per GMAC, by backbone: MobileNet-EdgeTPU's dense convolutions use the CPU better. */
  forwardSecondsPerGmac: { mobilenet_v2_1_0_224_quant: 0.0145, mobilenet_v1_1_0_224_quant_embedding: 0.0145, mobilenet_edgetpu_224_1_0_uint8: 0.0075 } as Record<string, number>,
  forwardSecondsPerGmacDefault: 0.015,
  /** Decoding and resizing one image once per input size (sharp), and making one view of it (flip/augment, normalise). */
  decodeSeconds: 0.0018,
  viewSeconds: 0.0003,
  /** Head training on TF.js wasm, per (row x epoch x input width x output width). */
  headSecondsPerUnit: 1.3e-9,
  /** Fine-tuning on onnxruntime (forward + backward + Adam), per sample: fixed part and per GMAC of the top's forward. */
  finetuneSecondsPerSample: 0.00054,
  finetuneSecondsPerSampleGmac: 0.093,
  /** Reading and verifying one image. */
  loadSeconds: 0.002,
  /** Per run (process start, backend init, graph imports) and per backbone pass set up (ONNX graph + session). */
  runOverheadSeconds: 4,
  sessionSeconds: 1,
};

export type Costs = typeof REFERENCE_COSTS;

export function forwardSecondsPerGmac(costs: Costs, backbone: string): number {
  return costs.forwardSecondsPerGmac[backbone.replace(/\./g, '_')] ?? costs.forwardSecondsPerGmacDefault;
}
