import type { Db } from '@tailor/db';
import { checkImageSize, type PixelLimits } from '@tailor/ml/src/preprocess';
import type { Explanation } from '@tailor/ml/src/trust/explain-occlusion';
import type { BlobStore } from '@tailor/storage';
import { BadRequestError, ConflictError } from '../errors';
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
  /** "Not sure" (the model's calibrated probability is below its class's threshold, or out of distribution). */
  uncertain: boolean;
  /** With `explain`: the regions that drove the prediction. */
  explanation?: Explanation;
}

/** A heat map over the image (@tailor/ml's explainByOcclusion; a type only, so core loads no engine code). */
export type { Explanation };

export interface LoadedClassifier {
  classes: string[];
  /** `uncertain` is absent from classifiers that predate it; the service then flags out-of-distribution images. */
  predict(images: Buffer[]): Promise<Array<Omit<ImagePrediction, 'uncertain' | 'explanation'> & { uncertain?: boolean }>>;
  explain?(image: Buffer, opts?: { label?: string }): Promise<Explanation>;
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

  /** `explain`: add a heat map per image (of `explain.label`, default the predicted class); costs ~50 forward passes each. */
  async predict(accountId: string, modelId: string, inputs: PredictInput[], opts: { versionId?: string; explain?: { label?: string } } = {}) {
    const model = await this.models.get(accountId, modelId);
    const version = await this.db.modelVersion.findFirst({
      where: opts.versionId ? { id: opts.versionId, modelId: model.id } : { modelId: model.id, active: true },
    });
    if (!version) {
      throw new ConflictError('Model is not ready', [{ reason: 'Model is not ready', message: 'Please check the current state of model' }]);
    }
    const classifier = await this.load(version.id, version.artifactPrefix, version.artifacts as unknown as StoredArtifacts);
    if (opts.explain?.label !== undefined && !classifier.classes.includes(opts.explain.label)) {
      throw new BadRequestError(`explainClass "${opts.explain.label}" is not one of the model's classes (${classifier.classes.join(', ')})`);
    }
    const outcomes: PredictOutcome[] = [];
    const good = inputs.filter((i) => i.bytes && !i.error);
    const results = new Map<PredictInput, ImagePrediction | Error>();
    // One image at a time keeps a bad image from failing its neighbours; the backbone batches internally anyway.
    for (const input of good) {
      try {
        // From the header, before any pixel is decoded: a 16000x16000 PNG is a few MB on the wire but ~770 MB of RGB.
        await checkImageSize(input.bytes!, this.limits);
        const r = (await classifier.predict([input.bytes!]))[0]!;
        const result: ImagePrediction = { ...r, uncertain: r.uncertain ?? r.outOfDistribution };
        if (opts.explain) {
          if (!classifier.explain) throw new Error('this model cannot explain its predictions');
          result.explanation = await classifier.explain(input.bytes!, opts.explain);
        }
        results.set(input, result);
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
