import type { LoadedClassifier } from './prediction-service';

type Prediction = Awaited<ReturnType<LoadedClassifier['predict']>>[number];

interface Waiting {
  image: Buffer;
  resolve(p: Prediction): void;
  reject(err: unknown): void;
}

/**
 * Answers the predictions that arrive while a forward pass is running with one batch in the next pass, instead of one
 * pass each: under concurrent load the backbones run at batch sizes they are efficient at, and an idle classifier
 * still answers a lone request at once (nothing waits for a batch to fill). One loaded version, one pass at a time.
 * An image that fails a pass (it passed the header check but does not decode) would fail its batch-mates: the batch is
 * then answered image by image, so it fails only its own request.
 */
export function coalescePredictions(inner: LoadedClassifier, maxBatch = 16): LoadedClassifier {
  let queue: Waiting[] = [];
  let running = false;

  const pump = async () => {
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    try {
      const results = await inner.predict(batch.map((w) => w.image)).catch(() => undefined);
      if (results) batch.forEach((w, i) => w.resolve(results[i]!));
      else for (const w of batch) await inner.predict([w.image]).then((r) => w.resolve(r[0]!), w.reject);
    } finally {
      running = false;
      void pump();
    }
  };

  return {
    classes: inner.classes,
    predict: (images) =>
      Promise.all(
        images.map(
          (image) =>
            new Promise<Prediction>((resolve, reject) => {
              queue.push({ image, resolve, reject });
              void pump();
            }),
        ),
      ),
    ...(inner.explain ? { explain: inner.explain.bind(inner) } : {}),
    dispose: () => inner.dispose(),
  };
}
