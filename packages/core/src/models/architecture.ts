// The catalog module alone: a plain table of names and URLs. The package's index would load TF.js into the API.
import { BACKBONES } from '@tailor/ml/src/backbones/catalog';

export const ARCHITECTURE_PATTERN = /^(auto|transfer:[a-z0-9_.-]+|cnn1|cnn3|cnn4)$/;

/** The backbones `transfer:<backbone>` may name: exactly the catalog's own keys (never inherited ones like `constructor`). */
export const TRANSFER_BACKBONES: readonly string[] = Object.keys(BACKBONES);

/**
 * Why an architecture cannot be trained, or undefined. Checked when a model is created or changed, so a typo is a
 * 400 naming the choices instead of a run that fails in the worker.
 */
export function architectureProblem(architecture: string): string | undefined {
  const choices = `auto, ${TRANSFER_BACKBONES.map((b) => `transfer:${b}`).join(', ')}, cnn1, cnn3, cnn4`;
  if (!ARCHITECTURE_PATTERN.test(architecture)) return `Unknown architecture '${architecture}' (${choices})`;
  if (architecture.startsWith('transfer:') && !Object.hasOwn(BACKBONES, architecture.slice('transfer:'.length))) {
    return `Unknown backbone in '${architecture}' (${choices})`;
  }
  return undefined;
}
