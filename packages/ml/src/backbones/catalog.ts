import type { LayerNamer } from '../tflite/to-ir';

export type BackboneName = 'mobilenet_v2_1.0_224_quant' | 'mobilenet_v1_1.0_224_quant_embedding' | 'mobilenet_edgetpu_224_1.0_uint8';

export interface BackboneSource {
  /** File name in the local backbone directory and the download cache. */
  fileName: string;
  url: string;
  sha256: string;
}

export interface BackboneSpec extends BackboneSource {
  name: BackboneName;
  description: string;
  /** Input size the model was trained at; the converted model accepts any size. */
  defaultInputSize: number;
  /** Inputs are RGB scaled as `pixel * scale + offset` (here pixel / 127.5 - 1). */
  normalization: { scale: number; offset: number };
  /** Layers pooled into the default embedding. */
  defaultLayers: string[];
  /** Maps TFLite tensor names to public layer names. */
  nameLayer: LayerNamer;
  /** ImageNet label file (index 0 = background) when the backbone has a classifier; resolved like the model. */
  labels?: BackboneSource;
}

const COMMIT = '104342d2d3480b3e66203073dac24f4e2dbb4c41';
const coralUrl = (file: string) => `https://github.com/google-coral/test_data/raw/${COMMIT}/${file}`;
const MLCOMMONS_COMMIT = '1f9963316b81a63fdef1040133ae64f6e8879c5b';
const PIXEL_TO_UNIT = { scale: 1 / 127.5, offset: -1 };

const IMAGENET_LABELS: BackboneSource = {
  fileName: 'imagenet_labels.txt',
  url: coralUrl('imagenet_labels.txt'),
  // Sum of shared/backbones/imagenet_labels.txt (taken from the same commit).
  sha256: 'b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1',
};

/** The scope of the first name in an MLIR-fused tensor name ("A/B/c;A/D/e" -> ["A", "B", "c"]). */
const scopes = (tensorName: string) => tensorName.split(';')[0].split('/');

/**
 * TF-slim mobilenet scopes, shared by MobileNetV2 and MobileNet-EdgeTPU (both built by slim's mobilenet/conv_blocks):
 * expanded_conv[_N] -> block_N, Conv -> conv_stem, Conv_1 -> conv_1 (the final 1280-d map), Logits, Predictions.
 */
const nameSlimMobilenet: LayerNamer = (tensorName) => {
  const s = scopes(tensorName)[1];
  if (s === 'Conv') return 'conv_stem';
  if (s === 'expanded_conv') return 'block_0';
  const m = /^expanded_conv_(\d+)$/.exec(s ?? '');
  if (m) return `block_${m[1]}`;
  if (s === 'Conv_1') return 'conv_1';
  if (s === 'Logits') return 'logits';
  if (s === 'Predictions') return 'probabilities';
  return undefined;
};

/** MobileNetV1: Conv2d_0 and each Conv2d_N_{depthwise,pointwise} pair -> conv_N; the final pool -> avgpool. */
const nameV1: LayerNamer = (tensorName) => {
  const parts = scopes(tensorName);
  const m = /^Conv2d_(\d+)(_depthwise|_pointwise)?$/.exec(parts[2] ?? '');
  if (parts[1] === 'MobilenetV1' && m) return `conv_${m[1]}`;
  if (parts[1] === 'Logits') return 'avgpool';
  return undefined;
};

export const BACKBONES: Record<BackboneName, BackboneSpec> = {
  'mobilenet_v2_1.0_224_quant': {
    name: 'mobilenet_v2_1.0_224_quant',
    description: 'MobileNetV2 1.0 224, ImageNet 1001 classes, uint8-quantized TFLite (google-coral/test_data, Apache-2.0)',
    fileName: 'mobilenet_v2_1.0_224_quant.tflite',
    url: coralUrl('mobilenet_v2_1.0_224_quant.tflite'),
    sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776',
    defaultInputSize: 224,
    normalization: PIXEL_TO_UNIT,
    defaultLayers: ['pool_block_13'],
    nameLayer: nameSlimMobilenet,
    labels: IMAGENET_LABELS,
  },
  'mobilenet_v1_1.0_224_quant_embedding': {
    name: 'mobilenet_v1_1.0_224_quant_embedding',
    description: 'MobileNet v1 1.0 224 ImageNet embedding extractor (1024-d), uint8-quantized TFLite (google-coral/test_data)',
    fileName: 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite',
    url: coralUrl('mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'),
    sha256: 'f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319',
    defaultInputSize: 224,
    normalization: PIXEL_TO_UNIT,
    defaultLayers: ['pool_conv_13'],
    nameLayer: nameV1,
  },
  'mobilenet_edgetpu_224_1.0_uint8': {
    name: 'mobilenet_edgetpu_224_1.0_uint8',
    description:
      'MobileNet-EdgeTPU 1.0 224, ImageNet 1001 classes, uint8-quantized TFLite (mlcommons/mobile_models v0_7, Apache-2.0)',
    fileName: 'mobilenet_edgetpu_224_1.0_uint8.tflite',
    url: `https://github.com/mlcommons/mobile_models/raw/${MLCOMMONS_COMMIT}/v0_7/tflite/mobilenet_edgetpu_224_1.0_uint8.tflite`,
    sha256: '5d63cb8ebd518217794221bbcb929ebb89c5ec37d736429a95650e88f9e904fa',
    defaultInputSize: 224,
    // The uint8 input has scale 1/127 and zero point 128, i.e. it stands for [-1.008, 1]: the float graph was trained
    // on pixel / 127.5 - 1 like MobileNetV2 (whose 1/128, 128 is the same range rounded the other way).
    normalization: PIXEL_TO_UNIT,
    defaultLayers: ['pool_conv_1'],
    nameLayer: nameSlimMobilenet,
    labels: IMAGENET_LABELS,
  },
};

export function getBackboneSpec(name: string): BackboneSpec {
  const spec = (BACKBONES as Record<string, BackboneSpec | undefined>)[name];
  if (!spec) throw new Error(`unknown backbone "${name}"; known: ${Object.keys(BACKBONES).join(', ')}`);
  return spec;
}
