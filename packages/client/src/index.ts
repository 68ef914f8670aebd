export { TailorClient, fileFromPath, type FileInput, type ClientOptions, type PredictOptions } from './tailor-client';
export { configFromEnv, DEFAULT_URL, type ClientConfig } from './config';
export { TailorError, TailorApiError, TailorResponseError, TailorConnectionError } from './errors';
export { readServerSentEvents, type ServerSentEvent } from './sse';
export * from './upload';
export type * from './responses';
