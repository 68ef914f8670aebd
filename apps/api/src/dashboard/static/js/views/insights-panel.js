import { getJson, modelPath, problemText, sendJson } from '../api.js';
import { clear, h, pct } from '../dom.js';
import { thumbnail } from './thumbnail.js';

const SHOWN = 12;

/**
 * What the active version's run found in the data (GET /v1/models/:id/audit): likely label errors with one-click
 * relabel to the suggested class (or any other), copies (a conflict when labelled differently), outliers, and the
 * class balance; each image can be deleted. The list is re-read after every change: fixed items drop off.
 */
export function auditPanel(modelId, classes) {
  const panel = h('section.card#audit', h('h2', 'Dataset audit'));
  const body = h('div.audit-body');
  panel.append(body);
  const reload = () =>
    load(body, `${modelPath(modelId)}/audit`, (a) => {
      body.append(
        h('p.muted.audit-summary',
          `Found by version ${a.version}'s run: ${a.labelErrors.length} likely label errors, ${a.duplicates.length} duplicate groups (${a.duplicates.filter((d) => d.conflict).length} label conflicts), ${a.outliers.length} outliers`,
          a.resolved ? ` · ${a.resolved} fixed since` : '',
          a.notAudited ? ` · ${a.notAudited} images uploaded since wait for the next run` : ''),
        h('p.audit-balance', { dataset: { ratio: a.classBalance.ratio ?? '' } }, 'Class balance: ', a.classBalance.message),
        section('Likely label errors', 'label-errors', a.labelErrors, (e) =>
          h('div.audit-item', { dataset: { imageId: e.imageId } },
            thumbnail(modelId, e.imageId, e.filename ?? e.imageId),
            h('div.audit-text',
              h('div', 'Labelled ', h('b', e.label ?? 'unlabelled'), ', looks like ', h('b', e.suggestedLabel), ` (${pct(e.confidence, 0)})`),
              h('div.audit-actions',
                h('button.small-button.relabel', { onclick: () => act(() => relabel(modelId, e.imageId, e.suggestedLabel)) }, `Relabel as ${e.suggestedLabel}`),
                classSelect(classes, e.label, (c) => act(() => relabel(modelId, e.imageId, c))),
                deleteButton(modelId, e.imageId, act))))),
        section('Duplicates', 'duplicates', a.duplicates, (g) =>
          h(`div.audit-item.duplicate${g.conflict ? '.conflict' : ''}`,
            h('div.audit-text',
              h('div', g.kind === 'exact' ? 'Exact copies' : `Near copies (${pct(g.similarity, 0)} alike)`, g.conflict ? h('span.badge.badge-error', 'label conflict') : null),
              h('div.thumbs',
                g.images.map((i) =>
                  h('div.dup-image', { dataset: { imageId: i.imageId } },
                    thumbnail(modelId, i.imageId, i.filename ?? i.imageId),
                    h('div.muted', i.label ?? 'unlabelled'),
                    deleteButton(modelId, i.imageId, act))))))),
        section('Outliers', 'outliers', a.outliers, (o) =>
          h('div.audit-item', { dataset: { imageId: o.imageId } },
            thumbnail(modelId, o.imageId, o.filename ?? o.imageId),
            h('div.audit-text',
              h('div', o.label ? ['Labelled ', h('b', o.label), ', unlike every class'] : 'Unlabelled, unlike every class', h('span.muted', ` (nearest: ${o.nearestLabel})`)),
              h('div.audit-actions', classSelect(classes, o.label, (c) => act(() => relabel(modelId, o.imageId, c))), deleteButton(modelId, o.imageId, act))))),
      );
    });
  const act = async (change) => {
    try {
      await change();
      await reload();
    } catch (err) {
      body.prepend(h('p.error', problemText(err)));
    }
  };
  void reload();
  return panel;
}

/**
 * "Label these next" (GET /v1/models/:id/suggestions): unlabelled images ranked by what labelling them would teach
 * the model, each with the predicted label and why; one click on a class labels it (PATCH) and the list moves up.
 */
export function suggestionsPanel(modelId, classes) {
  const panel = h('section.card#label-next', h('h2', 'Label these next'));
  const body = h('div');
  panel.append(body);
  const reload = () =>
    load(body, `${modelPath(modelId)}/suggestions?n=20`, (s) => {
      body.append(
        h('p.muted', s.remaining ? `${s.remaining} unlabelled images ranked by version ${s.version}'s run; the most useful first.` : 'Nothing left to label from the last run.', s.notRanked ? ` ${s.notRanked} uploaded since wait for the next run.` : ''),
        h('div.suggestions', s.suggestions.map((x) =>
          h('div.audit-item.suggestion', { dataset: { imageId: x.imageId, rank: x.rank } },
            thumbnail(modelId, x.imageId, x.filename ?? x.imageId),
            h('div.audit-text',
              h('div', `#${x.rank} · predicted `, h('b', x.predicted.label), ` (${pct(x.predicted.probability, 0)})`),
              h('div.muted.reason', x.reason),
              h('div.audit-actions.label-buttons',
                classes.map((c) =>
                  h(`button.small-button${c === x.predicted.label ? '' : '.secondary'}`, {
                    dataset: { label: c },
                    onclick: async () => {
                      try {
                        await relabel(modelId, x.imageId, c);
                        await reload();
                      } catch (err) {
                        body.prepend(h('p.error', problemText(err)));
                      }
                    },
                  }, c))))))),
      );
    });
  void reload();
  return panel;
}

/** Fills `body` from a GET; 409 (no run yet, or a run before insights) is a note, not an error. */
async function load(body, path, render) {
  try {
    const data = await getJson(path);
    clear(body);
    render(data);
  } catch (err) {
    clear(body);
    body.append(err.status === 409 ? h('p.muted', problemText(err)) : h('p.error', problemText(err)));
  }
}

function section(title, id, items, row) {
  const list = h(`div.audit-list#audit-${id}`);
  const more = h('button.link', { hidden: items.length <= SHOWN }, `show all ${items.length}`);
  const fill = (n) => list.replaceChildren(...items.slice(0, n).map(row));
  more.addEventListener('click', () => ((more.hidden = true), fill(items.length)));
  fill(SHOWN);
  return h('div.audit-section', h('h3', `${title} `, h('span.muted', `(${items.length})`)), items.length ? list : h('p.muted', 'None found.'), more);
}

function classSelect(classes, current, onPick) {
  const select = h('select.relabel-select', { 'aria-label': 'Relabel as' },
    h('option', { value: '' }, 'Relabel as…'),
    classes.filter((c) => c !== current).map((c) => h('option', { value: c }, c)));
  select.addEventListener('change', () => select.value && onPick(select.value));
  return select;
}

function deleteButton(modelId, imageId, act) {
  return h('button.small-button.danger.delete-image', { onclick: () => act(() => sendJson('DELETE', `${modelPath(modelId)}/images/${encodeURIComponent(imageId)}`)) }, 'Delete');
}

const relabel = (modelId, imageId, category) => sendJson('PATCH', `${modelPath(modelId)}/images/${encodeURIComponent(imageId)}`, { category });
