import { h } from '../dom.js';

const STATES = {
  '-1': ['error', 'Error'],
  0: ['idle', 'Created'],
  1: ['idle', 'Data uploaded'],
  2: ['ready', 'Ready to train'],
  3: ['busy', 'Queued'],
  4: ['busy', 'Training'],
  5: ['ok', 'Hosted'],
};

export function stateBadge(state) {
  const [kind, text] = STATES[state] ?? ['idle', `State ${state}`];
  return h(`span.badge.badge-${kind}`, { dataset: { state } }, text);
}
