export { ModelService, ARCHITECTURE_PATTERN, isUuid } from './model-service';
export type { CreateModelInput, ModelWithCounts } from './model-service';
export { ModelState, STATUS_TEXT, TRAINABLE_STATES, BUSY_STATES } from './model-state';
export type { ModelStateValue } from './model-state';
