import { h } from '../dom.js';

/** The "not sure" line of a prediction: its label falls short of the model's target precision (or it is unknown). */
export function notSureNote(p) {
  if (!p.uncertain || p.outOfDistribution) return null;
  return h('p.warning.not-sure', "Not sure: this probability is below what the model needs to be right about this class as often as it was asked to be. Check it.");
}
