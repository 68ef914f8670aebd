export { ModelService, isUuid } from './model-service';
export { ARCHITECTURE_PATTERN, TRANSFER_BACKBONES, architectureChoices, architectureProblem } from './architecture';
export type { ArchitectureChoice } from './architecture';
export type { CreateModelInput, ModelWithCounts } from './model-service';
export { ModelState, STATUS_TEXT, TRAINABLE_STATES, BUSY_STATES } from './model-state';
export type { ModelStateValue } from './model-state';
