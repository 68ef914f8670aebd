import { truncated } from '../support/broken-images';
import { fashionImages, form } from '../support/fixtures';
import { startTrainedTailor, type TrainedTailor } from '../dashboard/support/trained-model';

const V2 = '/api/v2/ImageCategorization';

/**
 * Concurrent predictions of one version share forward passes (coalescePredictions): each request must still get
 * exactly the answer it gets alone, and an image that breaks a pass must fail only its own request.
 */
describe('predictions under concurrency: shared forward passes, the same answers', () => {
  let s: TrainedTailor;
  beforeAll(async () => {
    s = await startTrainedTailor(10, ['Coat', 'Bag', 'Sandal']);
  }, 900_000);
  afterAll(async () => s?.t.stop());

  const label = (file: { name: string; bytes: Buffer }) =>
    s.call(`${V2}/LabelFile/`, { method: 'POST', body: form({ modelId: s.modelId }, [file]) }).then(async (res) => ({ status: res.status, body: await res.json() }));

  it('answers each of many concurrent requests as it answers it alone, failing only the broken image', async () => {
    const files = ['Coat', 'Bag', 'Sandal'].flatMap((c) => fashionImages('test', c, 4));
    files.splice(5, 0, { name: 'broken.jpeg', bytes: truncated(files[0]!.bytes, 0.5) });
    const alone = [];
    for (const f of files) alone.push(await label(f));
    const together = await Promise.all(files.map((f) => label(f)));
    expect(together.map((r) => r.status)).toEqual(alone.map((r) => r.status));
    expect(alone.filter((r) => r.status !== 200).map((r) => r.body.result[0].file)).toEqual(['broken.jpeg']);
    for (const [i, r] of together.entries()) {
      const want = alone[i]!.body.result[0];
      const got = r.body.result[0];
      expect(got.file).toBe(files[i]!.name);
      expect(got.message).toBe(want.message);
      for (const [k, p] of want.prediction.entries()) {
        expect(got.prediction[k].label).toBe(p.label);
        expect(got.prediction[k].probability).toBeCloseTo(p.probability, 5);
      }
    }
  });
});
