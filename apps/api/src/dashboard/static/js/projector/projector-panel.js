import { apiFetch, getJson, imageUrl } from '../api.js';
import { classColor, clear, h } from '../dom.js';
import { customProjection } from './custom-projection.js';
import { pca } from './pca.js';
import { createScatter } from './scatter-plot.js';

/**
 * The embedding projector: the version's embeddings of the model's images, projected by PCA, t-SNE (in a worker) or
 * a custom axis between two label searches, coloured by class, with the image under the pointer as a thumbnail.
 */
export function renderProjector(panel, modelId, version, classes, signal) {
  const base = `/v1/models/${encodeURIComponent(modelId)}/versions/${version}`;
  const status = h('p.small.muted#projector-status', 'Computing embeddings…');
  const method = h('select#projector-method', { 'aria-label': 'projection' }, h('option', { value: 'pca' }, 'PCA'), h('option', { value: 'tsne' }, 't-SNE'), h('option', { value: 'custom' }, 'Custom'));
  const dims = h('select#projector-dims', { 'aria-label': 'dimensions' }, h('option', { value: '2' }, '2-D'), h('option', { value: '3' }, '3-D'));
  const perplexity = h('input#projector-perplexity', { type: 'number', min: 2, max: 100, value: 30, 'aria-label': 'perplexity', title: 't-SNE perplexity' });
  // Exact-match regexes by default: a plain substring "Shirt" would also match "Tshirt".
  const exact = (c) => (c ? `/^${c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$/` : '');
  const left = h('input#custom-left', { placeholder: 'left: label search', 'aria-label': 'x axis, left end: label search', value: exact(classes[0]), title: 'substring, or /regex/' });
  const right = h('input#custom-right', { placeholder: 'right: label search', 'aria-label': 'x axis, right end: label search', value: exact(classes[1]), title: 'substring, or /regex/' });
  const up = h('input#custom-up', { placeholder: 'up (optional)', 'aria-label': 'y axis, top end: label search (optional)' });
  const down = h('input#custom-down', { placeholder: 'down (optional)', 'aria-label': 'y axis, bottom end: label search (optional)' });
  const customControls = h('div.custom-controls', { hidden: true }, h('span.small', 'X axis from '), left, h('span.small', ' to '), right, h('span.small', ' · Y axis from '), down, h('span.small', ' to '), up);
  const run = h('button#projector-run', { type: 'button' }, 'Project');
  const download = h('button.link#projector-download', { type: 'button' }, 'Download for TensorBoard (projector.zip)');
  const canvas = h('canvas.projector-canvas#projector-canvas');
  const tooltip = h('div.projector-tooltip#projector-tooltip', { hidden: true });
  const legend = h('div.legend#projector-legend');
  clear(panel).append(
    h('h2', 'Embedding projector'),
    h('p.small.muted', "Each point is an uploaded image, placed by the classifier's features (the ones its out-of-distribution check uses)."),
    h('div.projector-controls', method, dims, h('label.small', 'perplexity ', perplexity), run, download),
    customControls,
    h('div.projector-stage', canvas, tooltip),
    legend,
    status,
  );

  let data;
  let n = 0;
  let d = 0;
  let labels = [];
  let ids = [];
  let worker;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const scatter = createScatter(canvas, {
    colorOf: (i) => classColor(classIndex.get(labels[i]) ?? 0),
    onHover: (i, at) => {
      if (i < 0) {
        tooltip.hidden = true;
        return;
      }
      const img = h('img', { alt: labels[i] });
      imageUrl(modelId, ids[i]).then((u) => (img.src = u), () => {});
      clear(tooltip).append(img, h('div', h('strong', labels[i])), h('div.small.muted', ids[i].slice(0, 8)));
      tooltip.dataset.index = i;
      tooltip.style.left = `${Math.min(at.x + 14, canvas.clientWidth - 140)}px`;
      tooltip.style.top = `${Math.max(0, at.y - 60)}px`;
      tooltip.hidden = false;
    },
  });

  const project = () => {
    worker?.terminate();
    worker = undefined;
    canvas.dataset.ready = 'false';
    const m = method.value;
    customControls.hidden = m !== 'custom';
    dims.disabled = m === 'custom';
    perplexity.disabled = m !== 'tsne';
    const k = m === 'custom' ? 2 : Number(dims.value);
    canvas.dataset.method = m;
    canvas.dataset.dims = String(k);
    const done = (coords, line) => {
      scatter.set(coords, k);
      status.textContent = line;
      canvas.dataset.ready = 'true';
    };
    try {
      if (m === 'pca') {
        const started = performance.now();
        const { coords, explained } = pca(data, n, d, k);
        done(coords, `PCA of ${n} points in ${d} dimensions (${Math.round(performance.now() - started)} ms); variance explained: ${explained.map((e) => `${(e * 100).toFixed(1)}%`).join(', ')}`);
      } else if (m === 'custom') {
        const r = customProjection(data, n, d, labels, { left: left.value, right: right.value, up: up.value, down: down.value });
        done(r.coords, `Custom projection: x from "${left.value}" (${r.matched.left}) to "${right.value}" (${r.matched.right}); y ${r.yFromSearch ? `from "${down.value}" to "${up.value}"` : 'along the largest remaining variance'}`);
      } else {
        // A module worker keeps the page responsive; intermediate layouts animate the plot.
        worker = new Worker(new URL('./tsne-worker.js', import.meta.url), { type: 'module' });
        status.textContent = `t-SNE: starting on ${n} points…`;
        worker.onmessage = (e) => {
          if (e.data.type === 'progress') {
            scatter.set(e.data.coords, k);
            status.textContent = `t-SNE: iteration ${e.data.iteration}/500`;
          } else {
            done(e.data.coords, `t-SNE of ${n} points, perplexity ${perplexity.value}: 500 iterations in ${(e.data.ms / 1000).toFixed(1)} s`);
            worker.terminate();
            worker = undefined;
          }
        };
        worker.onerror = (e) => (status.textContent = `t-SNE failed: ${e.message}`);
        worker.postMessage({ data, n, d, dims: k, perplexity: Number(perplexity.value) || 30, iterations: 500, seed: 42 });
      }
    } catch (err) {
      status.textContent = err.message;
    }
  };

  method.addEventListener('change', project);
  dims.addEventListener('change', project);
  run.addEventListener('click', project);
  for (const input of [left, right, up, down]) input.addEventListener('change', project);
  signal.addEventListener('abort', () => worker?.terminate());
  download.addEventListener('click', async () => {
    download.disabled = true;
    const old = download.textContent;
    download.textContent = 'Preparing projector.zip…';
    try {
      const blob = await (await apiFetch(`${base}/projector.zip`)).blob();
      const a = h('a', { href: URL.createObjectURL(blob), download: `tailor-v${version}-projector.zip` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      status.textContent = `Export failed: ${err.message}`;
    } finally {
      download.disabled = false;
      download.textContent = old;
    }
  });

  getJson(`${base}/embeddings`, { signal })
    .then((res) => {
      n = res.count;
      d = res.dim;
      labels = res.embeddings.map((e) => e.label);
      ids = res.embeddings.map((e) => e.id);
      data = new Float32Array(n * d);
      res.embeddings.forEach((e, i) => data.set(e.vector, i * d));
      canvas.dataset.points = String(n);
      const counts = new Map();
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      legend.append(...classes.map((c, i) => h('span.chip', h('span.dot', { style: { background: classColor(i) } }), `${c} (${counts.get(c) ?? 0})`)));
      if (n < 3) {
        status.textContent = 'Too few images to project.';
        return;
      }
      project();
    })
    .catch((err) => {
      if (!signal.aborted) status.textContent = `Embeddings unavailable: ${err.message}`;
    });
}
