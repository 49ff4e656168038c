export * from './names';
export * from './connection';
export * from './batcher';
export * from './half-pairing';
export * from './backlog';
