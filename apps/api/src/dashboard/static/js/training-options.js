import { getJson } from './api.js';

/** GET /v1/training-options, fetched once per page load: architectures and settings with bounds and defaults. */
let cached;
export function trainingOptions() {
  cached ??= getJson('/v1/training-options').catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** 'transfer:mobilenet_v2_1.0_224_quant' → 'transfer'; the kind decides which settings apply. */
export const architectureKind = (id) => (id === 'auto' ? 'auto' : /^cnn\d$/.test(id) ? 'cnn' : id.split(':')[0]);
