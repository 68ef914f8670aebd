import { fashionImages, form } from '../../support/fixtures';
import { startTestTailor, type TestTailor } from '../../support/tailor';

/**
 * Classes that look alike on purpose (shirts, T-shirts, pullovers) plus an easy one, so a real model makes real
 * mistakes: the confusion matrix then has off-diagonal cells with images to click.
 */
export const DASHBOARD_CLASSES = ['Tshirt', 'Shirt', 'Pullover', 'Sandal'];

export interface TrainedTailor {
  t: TestTailor;
  modelId: string;
  call(path: string, init?: RequestInit): Promise<Response>;
}

/** A real server with one model trained through the native API on `perClass` tutorial JPEGs per class. */
export async function startTrainedTailor(perClass = 12, classes = DASHBOARD_CLASSES): Promise<TrainedTailor> {
  const t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '10' });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(t.baseUrl + path, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  try {
    const created = await call('/v1/models', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: classes === DASHBOARD_CLASSES ? 'Fashion look-alikes' : 'Fashion', categories: classes }),
    });
    if (created.status !== 201) throw new Error(`create model: ${created.status} ${await created.text()}`);
    const modelId = ((await created.json()) as { id: string }).id;
    for (const cls of classes) {
      const res = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, perClass)) });
      if (res.status !== 200) throw new Error(`upload ${cls}: ${res.status} ${await res.text()}`);
    }
    const train = await call(`/v1/models/${modelId}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 7 }) });
    if (train.status !== 202) throw new Error(`train: ${train.status} ${await train.text()}`);
    const runId = ((await train.json()) as { id: string }).id;
    const deadline = Date.now() + 900_000;
    for (;;) {
      const run = (await (await call(`/v1/models/${modelId}/runs/${runId}`)).json()) as { status: string; error: string | null };
      if (run.status === 'succeeded') break;
      if (run.status === 'failed' || run.status === 'canceled') throw new Error(`training ${run.status}: ${run.error}`);
      if (Date.now() > deadline) throw new Error('training did not finish in 900 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    return { t, modelId, call };
  } catch (err) {
    await t.stop();
    throw err;
  }
}
