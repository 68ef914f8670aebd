/**
 * Adam over plain Float32Arrays (the parameters live in JS between onnxruntime steps). Weight decay is decoupled and
 * pulls each tensor toward an anchor: its pre-trained value for backbone tensors (L2-SP, which keeps a top trained on
 * ~100 images per class close to what ImageNet taught it) and zero for the new head.
 */
export interface AdamParam {
  value: Float32Array;
  /** Decay toward this (undefined = toward zero). */
  anchor?: Float32Array;
  /** Learning-rate multiplier of this tensor (e.g. the backbone's top learns slower than the head). */
  lrScale: number;
  weightDecay: number;
}

export class Adam {
  private m: Float32Array[];
  private v: Float32Array[];
  private t = 0;

  constructor(
    private readonly params: AdamParam[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }

  step(grads: Float32Array[], lr: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    const { beta1: b1, beta2: b2, eps } = this;
    this.params.forEach((p, k) => {
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      const w = p.value;
      const a = p.anchor;
      const rate = lr * p.lrScale;
      const decay = rate * p.weightDecay;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= (rate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps) + decay * (w[i] - (a ? a[i] : 0));
      }
    });
  }
}
