export * from './app-error';
export * from './unavailable';
