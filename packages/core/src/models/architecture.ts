// The catalog module alone: a plain table of names and URLs. The package's index would load TF.js into the API.
import { BACKBONES } from '@tailor/ml/src/backbones/catalog';

export const ARCHITECTURE_PATTERN = /^(auto|(transfer|finetune):[a-z0-9_.-]+|cnn1|cnn3|cnn4)$/;

/** The backbones `transfer:<backbone>` and `finetune:<backbone>` may name: exactly the catalog's own keys (never inherited ones like `constructor`). */
export const TRANSFER_BACKBONES: readonly string[] = Object.keys(BACKBONES);

export interface ArchitectureChoice {
  id: string;
  kind: 'auto' | 'transfer' | 'finetune' | 'cnn';
  backbone: string | null;
  description: string;
}

const CNN_DESCRIPTIONS: Record<string, string> = {
  cnn1: "the tutorial's 1-conv CNN, trained from scratch on 28x28 greyscale (no pre-training)",
  cnn3: "the tutorial's 3-conv CNN, trained from scratch on 28x28 greyscale",
  cnn4: "the tutorial's 4-conv CNN with BatchNorm, trained from scratch on 28x28 greyscale (slowest)",
};

/** "MobileNetV2 1.0 224" out of the catalog's description (which goes on with the source and licence). */
const shortName = (b: string) => BACKBONES[b as keyof typeof BACKBONES].description.split(/[,(]/)[0]!.trim();

/**
 * Every architecture a model may name, with a sentence on what it trains: the list the dashboard's form offers, so
 * the catalog is written once (here) and a new backbone appears without a dashboard change.
 */
export function architectureChoices(): ArchitectureChoice[] {
  return [
    { id: 'auto', kind: 'auto', backbone: null, description: 'the service tries frozen-feature heads and fine-tuned tops on every backbone and keeps the best by cross-validation' },
    ...TRANSFER_BACKBONES.map((b) => ({ id: `transfer:${b}`, kind: 'transfer' as const, backbone: b, description: `small heads on frozen features of ${shortName(b)} (fast)` })),
    ...TRANSFER_BACKBONES.map((b) => ({ id: `finetune:${b}`, kind: 'finetune' as const, backbone: b, description: `the top layers of ${shortName(b)}, fine-tuned on your images (slower, often more accurate)` })),
    ...Object.entries(CNN_DESCRIPTIONS).map(([id, description]) => ({ id, kind: 'cnn' as const, backbone: null, description })),
  ];
}

/**
 * Why an architecture cannot be trained, or undefined. Checked when a model is created or changed, so a typo is a
 * 400 naming the choices instead of a run that fails in the worker.
 */
export function architectureProblem(architecture: string): string | undefined {
  const choices = architectureChoices().map((c) => c.id).join(', ');
  if (!ARCHITECTURE_PATTERN.test(architecture)) return `Unknown architecture '${architecture}' (${choices})`;
  const backbone = /^(transfer|finetune):/.test(architecture) ? architecture.slice(architecture.indexOf(':') + 1) : undefined;
  if (backbone !== undefined && !Object.hasOwn(BACKBONES, backbone)) return `Unknown backbone in '${architecture}' (${choices})`;
  return undefined;
}
