/** Tiny DOM helpers: `h('div.card', {onclick}, child, 'text')`. Text is always set as text, never parsed as HTML. */
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** 'div#id.a.b' or 'div.a#id' → tag name, id and classes. */
function parseTag(tag) {
  let base = 'div';
  let id;
  const classes = [];
  for (const [token] of tag.matchAll(/[.#]?[^.#]+/g)) {
    if (token[0] === '.') classes.push(token.slice(1));
    else if (token[0] === '#') id = token.slice(1);
    else base = token;
  }
  return { base, id, classes };
}

export function h(tag, attrs, ...children) {
  const { base, id, classes } = parseTag(tag);
  const el = document.createElement(base);
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs)) return build(el, {}, [attrs, ...children]);
  return build(el, attrs, children);
}

export function s(tag, attrs, ...children) {
  const { base, id, classes } = parseTag(tag);
  const el = document.createElementNS(SVG_NS, base);
  if (id) el.id = id;
  if (classes.length) el.setAttribute('class', classes.join(' '));
  return build(el, attrs, children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export const pct = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(digits)}%`);
export const num = (x, digits = 3) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(digits));

/** A categorical palette that stays distinguishable for up to ~20 classes (Tableau 20 order, then wraps). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'];
export const classColor = (i) => PALETTE[i % PALETTE.length];
