import type { Db } from '@tailor/db';
import { checkImageSize, type PixelLimits } from '@tailor/ml/src/preprocess';
import type { BlobStore } from '@tailor/storage';
import { ConflictError } from '../errors';
import type { ModelService } from '../models';
import { Lru } from './lru';

export interface ClassPrediction {
  label: string;
  probability: number;
}

export interface ImagePrediction {
  prediction: ClassPrediction[];
  outOfDistribution: boolean;
  oodScore: number;
}

export interface LoadedClassifier {
  classes: string[];
  predict(images: Buffer[]): Promise<ImagePrediction[]>;
  dispose(): void;
}

/** Turns a stored version's artifact files back into a classifier (the ML package provides it). */
export type ClassifierLoader = (files: Record<string, Buffer>) => Promise<LoadedClassifier>;

/** What a version row records of its artifact: the files under its blob prefix. */
export interface StoredArtifacts {
  files: Array<{ name: string; size: number }>;
}

export interface PredictInput {
  name: string;
  bytes?: Buffer;
  /** Set when the input could not be obtained (a URL that failed): reported per file, not as a request error. */
  error?: string;
}

export type PredictOutcome = { name: string; ok: true; result: ImagePrediction } | { name: string; ok: false; error: string };

/**
 * Predicts with a model's active version. Loaded classifiers are kept in an LRU per process, keyed by version id,
 * so a retrain (a new version) is picked up on the next request while requests in flight finish on the old one.
 */
export class PredictionService {
  private readonly cache: Lru<string, Promise<LoadedClassifier>>;

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly models: ModelService,
    private readonly loader: ClassifierLoader,
    cacheSize: number,
    /** The uploads' pixel limits: a prediction never decodes an image an upload would have refused. */
    private readonly limits: PixelLimits,
  ) {
    this.cache = new Lru(cacheSize, (p) => void p.then((c) => c.dispose(), () => {}));
  }

  async predict(accountId: string, modelId: string, inputs: PredictInput[], opts: { versionId?: string } = {}) {
    const model = await this.models.get(accountId, modelId);
    const version = await this.db.modelVersion.findFirst({
      where: opts.versionId ? { id: opts.versionId, modelId: model.id } : { modelId: model.id, active: true },
    });
    if (!version) {
      throw new ConflictError('Model is not ready', [{ reason: 'Model is not ready', message: 'Please check the current state of model' }]);
    }
    const classifier = await this.load(version.id, version.artifactPrefix, version.artifacts as unknown as StoredArtifacts);
    const outcomes: PredictOutcome[] = [];
    const good = inputs.filter((i) => i.bytes && !i.error);
    const results = new Map<PredictInput, ImagePrediction | Error>();
    // One image at a time keeps a bad image from failing its neighbours; the backbone batches internally anyway.
    for (const input of good) {
      try {
        // From the header, before any pixel is decoded: a 16000x16000 PNG is a few MB on the wire but ~770 MB of RGB.
        await checkImageSize(input.bytes!, this.limits);
        results.set(input, (await classifier.predict([input.bytes!]))[0]!);
      } catch (err) {
        results.set(input, err as Error);
      }
    }
    for (const input of inputs) {
      const r = results.get(input);
      if (!r) outcomes.push({ name: input.name, ok: false, error: input.error ?? 'no image data' });
      else if (r instanceof Error) outcomes.push({ name: input.name, ok: false, error: r.message });
      else outcomes.push({ name: input.name, ok: true, result: r });
    }
    return { model, version, outcomes };
  }

  private load(versionId: string, prefix: string, stored: StoredArtifacts): Promise<LoadedClassifier> {
    let p = this.cache.get(versionId);
    if (!p) {
      p = (async () => {
        const files: Record<string, Buffer> = {};
        for (const f of stored.files) files[f.name] = await this.blobs.getBuffer(`${prefix}/${f.name}`);
        return this.loader(files);
      })();
      // A failed load is forgotten so the next request tries again.
      p.catch(() => this.cache.delete(versionId));
      this.cache.set(versionId, p);
    }
    return p;
  }

  close() {
    this.cache.clear();
  }
}
