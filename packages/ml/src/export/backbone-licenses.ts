import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getBackboneSpec, type BackboneName } from '../backbones/catalog';

/**
 * Where each catalog backbone's weights come from and under what terms. An export redistributes them (converted to
 * float, inside the ONNX or TF.js graph), so the bundle carries the licence text and the model card names the source.
 */
export interface BackboneLicense {
  license: string;
  copyright: string;
  origin: string;
}

const GOOGLE_TF_MODELS = 'Copyright Google LLC (TensorFlow Models / TF-slim MobileNet checkpoints)';

export const BACKBONE_LICENSES: Record<BackboneName, BackboneLicense> = {
  'mobilenet_v2_1.0_224_quant': { license: 'Apache-2.0', copyright: GOOGLE_TF_MODELS, origin: 'google-coral/test_data at commit 104342d (Google\'s uint8-quantized TFLite conversion)' },
  'mobilenet_v1_1.0_224_quant_embedding': { license: 'Apache-2.0', copyright: GOOGLE_TF_MODELS, origin: 'google-coral/test_data at commit 104342d (Google\'s uint8-quantized TFLite embedding extractor)' },
  'mobilenet_edgetpu_224_1.0_uint8': { license: 'Apache-2.0', copyright: GOOGLE_TF_MODELS, origin: 'mlcommons/mobile_models at commit 1f99633, v0_7/tflite (from Google\'s tensorflow/models slim checkpoint)' },
};

export function backboneLicense(name: string): BackboneLicense & { url: string; sha256: string; description: string } {
  const spec = getBackboneSpec(name);
  return { ...BACKBONE_LICENSES[spec.name], url: spec.url, sha256: spec.sha256, description: spec.description };
}

/** The Apache License 2.0 text, shipped beside the code (the same file as the backbones' LICENSE). */
export function apacheLicenseText(): Buffer {
  return readFileSync(path.join(__dirname, 'licenses', 'apache-2.0.txt'));
}
