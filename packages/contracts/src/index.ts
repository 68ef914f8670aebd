export * as v2 from './v2';
export * as v1 from './v1';
export * as jobs from './jobs';
