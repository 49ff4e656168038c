export * from './worker';
export * from './process-batch';
export * from './from-config';
