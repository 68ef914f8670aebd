/** The NanoNets v2 model states, which scripts written for that service poll. */
export const ModelState = {
  Error: -1,
  Created: 0,
  DataUploaded: 1,
  ReadyToTrain: 2,
  Queued: 3,
  Training: 4,
  Hosted: 5,
} as const;
export type ModelStateValue = (typeof ModelState)[keyof typeof ModelState];

export const STATUS_TEXT = {
  created: 'Model created, upload training images',
  needsMoreData: (short: string[], min: number) =>
    `Training data uploaded; each category needs at least ${min} images (short: ${short.join(', ')})`,
  ready: 'Training data uploaded, ready to train',
  queued: 'Queued for training',
  hosted: 'Model trained and hosted, ready for prediction',
} as const;

/** States in which new training may start (a hosted model retrains; an errored one may be retried). */
export const TRAINABLE_STATES: number[] = [ModelState.DataUploaded, ModelState.ReadyToTrain, ModelState.Hosted, ModelState.Error];
export const BUSY_STATES: number[] = [ModelState.Queued, ModelState.Training];
