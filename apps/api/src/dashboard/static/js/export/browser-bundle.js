import { apiFetch } from '../api.js';
import { prepareInput } from './browser-preprocess.js';
import { loadTfjs } from './load-tfjs.js';
import { readStoredZip } from './read-stored-zip.js';

/**
 * A version's TF.js export, downloaded and loaded in this browser: after that, predictions run here, with no request
 * to the server. The bundle is the one `GET …/export?format=tfjs` gives anyone (model.json, weights.bin, labels.json,
 * preprocessing.json).
 */
export async function openBrowserBundle(modelId, version) {
  const tf = await loadTfjs();
  const res = await apiFetch(`/v1/models/${encodeURIComponent(modelId)}/versions/${version}/export?format=tfjs`);
  const files = readStoredZip(await res.arrayBuffer());
  const text = (name) => {
    const f = files.get(name);
    if (!f) throw new Error(`the bundle has no ${name}`);
    return new TextDecoder().decode(f);
  };
  const modelJson = JSON.parse(text('model.json'));
  const pre = JSON.parse(text('preprocessing.json'));
  const labels = JSON.parse(text('labels.json'));
  const weights = files.get('weights.bin');
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      signature: modelJson.signature,
    }),
  );
  return {
    labels,
    backend: tf.getBackend(),
    bytes: weights.byteLength,
    async predict(file) {
      const feeds = {};
      for (const input of pre.inputs) {
        const data = await prepareInput(file, input);
        feeds[input.name] = tf.tensor4d(data, [1, input.size, input.size, input.kind === 'rgb' ? 3 : 1]);
      }
      const [p, o] = model.execute(feeds, ['probabilities', 'ood_score']);
      const probs = await p.data();
      const ood = (await o.data())[0];
      tf.dispose([p, o, ...Object.values(feeds)]);
      const prediction = labels.map((label, k) => ({ label, probability: probs[k] })).sort((a, b) => b.probability - a.probability);
      // The service's flags (preprocessing.json "decision"): not sure when out of distribution, or when the top
      // probability is below its class's threshold.
      const outOfDistribution = ood > 1;
      const thresholds = pre.decision?.uncertainBelow;
      const top = labels.indexOf(prediction[0].label);
      const uncertain = outOfDistribution || (thresholds ? prediction[0].probability < thresholds[top] : false);
      return { label: prediction[0].label, probability: prediction[0].probability, outOfDistribution, uncertain, oodScore: ood, prediction };
    },
    dispose: () => model.dispose(),
  };
}
