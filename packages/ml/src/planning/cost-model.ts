/**
 * Seconds on the reference machine (2 CPU cores, onnxruntime-node 1.30 with 2 threads, TF.js wasm on one) per unit of
 * work, measured by `npx tsx bench/calibrate-costs.ts`. The plan prices candidates with these instead of timing
 * them, so for a given dataset, seed and budget it chooses the same candidates on a busy or an idle machine; only
 * the wall time varies. Other machines run the same plan (faster or slower).
 */
export const REFERENCE_COSTS = {
  /** Frozen forward pass, per GMAC (batch 32). */
  forwardSecondsPerGmac: 0.016,
  /** Decoding, resizing and normalising one image view. */
  preprocessSeconds: 0.0008,
  /** Head training on TF.js wasm, per (row x epoch x input width x output width). */
  headSecondsPerUnit: 3e-9,
  /** Fine-tuning on onnxruntime, per sample and GMAC of the top's forward pass (forward + backward ~ 3x). */
  finetuneSecondsPerSampleGmac: 0.12,
  /** Fine-tuning overhead per sample (batch assembly, optimizer share at batch 32, per-op dispatch). */
  finetuneSecondsPerSample: 0.0008,
  /** Loading (reading + decoding once) one image. */
  loadSeconds: 0.002,
};

export type Costs = typeof REFERENCE_COSTS;
