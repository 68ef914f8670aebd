/**
 * What an export bundle's `preprocessing.json` says: the graph's inputs and exactly how each is made from an image
 * file, what the graph does inside (polarity, test-time views, averaging), and what its outputs mean. `tailor run`
 * reads it to prepare its inputs; anyone re-implementing the decode elsewhere reads it to match.
 */
export const BUNDLE_FORMAT = 'tailor.bundle';
export const BUNDLE_VERSION = 1;

export type BundleModelFormat = 'onnx' | 'tfjs';

/** An RGB input: the decoded image resized to size x size and normalised (`pixel * scale + offset`), NHWC float32. */
export interface RgbInput {
  name: string;
  kind: 'rgb';
  size: number;
  normalization: { scale: number; offset: number };
}

/** The tutorial CNNs' input: greyscale, 28 x 28, `pixel / 255`, NHWC [N, 28, 28, 1] float32. */
export interface GreyInput {
  name: string;
  kind: 'grey';
  size: number;
}

export type BundleInput = RgbInput | GreyInput;

/** The whole-classifier graph's outputs (same names in the ONNX and the TF.js model). */
export const OUTPUT_PROBABILITIES = 'probabilities';
export const OUTPUT_OOD = 'ood_score';

export interface BundlePreprocessing {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  model: { format: BundleModelFormat; files: string[]; opset?: number };
  source: { modelId: string; version: number; architecture: string };
  inputs: Array<BundleInput & { shape: Array<number | null>; dtype: 'float32'; layout: 'NHWC'; steps: Record<string, string> }>;
  /** What happens inside the graph, so nothing here is left to the caller. */
  inGraph: string[];
  outputs: Record<string, { shape: Array<number | null>; meaning: string }>;
  /**
   * How the service turns the outputs into flags: out of distribution when `ood_score` > 1; "not sure" (uncertain)
   * when out of distribution, or when the top probability is below its class's threshold (absent: OOD only).
   */
  decision: { uncertainBelow: number[] | null; targetPrecision: number | null };
}

/** The service's flags from one image's outputs (load-classifier.ts, trust/precision-thresholds.ts). */
export function decide(probs: ArrayLike<number>, oodScore: number, decision: BundlePreprocessing['decision'] | undefined) {
  let top = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[top]!) top = k;
  const outOfDistribution = oodScore > 1;
  const thresholds = decision?.uncertainBelow;
  return { outOfDistribution, uncertain: outOfDistribution || (thresholds ? probs[top]! < thresholds[top]! : false) };
}

/** The exact steps the service applies, in words a re-implementer can follow (the code is preprocess/ and cnn/input.ts). */
export function describeInput(input: BundleInput): Record<string, string> {
  if (input.kind === 'rgb') {
    return {
      decode: 'libvips via sharp 0.35 (JPEG, PNG, WebP, GIF first frame); fail on decoder errors, not on warnings',
      orientation: 'EXIF orientation applied (sharp .rotate())',
      colour: 'sRGB; greyscale replicated to 3 channels; an alpha channel is dropped (not flattened)',
      resize: `to exactly ${input.size}x${input.size}, aspect ratio not kept (sharp fit "fill"), kernel "linear" (bilinear)`,
      normalize: `value = pixel * ${input.normalization.scale} + ${input.normalization.offset} (i.e. pixel / 127.5 - 1, range [-1, 1])`,
    };
  }
  return {
    decode: 'libvips via sharp 0.35; fail on decoder errors, not on warnings',
    orientation: 'EXIF orientation NOT applied (the tutorial CNNs are trained on pixels as stored)',
    colour: 'greyscale (sharp .greyscale())',
    resize: `to exactly ${input.size}x${input.size}, aspect ratio not kept (sharp fit "fill"), sharp's default kernel (lanczos3)`,
    normalize: 'value = pixel / 255 (range [0, 1]); no inversion: light garment on black, as Fashion-MNIST',
  };
}
