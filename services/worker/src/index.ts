export * from './worker';
export * from './process-batch';
