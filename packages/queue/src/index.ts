export * from './names.ts';
export * from './connection.ts';
export * from './shards.ts';
export * from './batcher.ts';
export * from './half-pairing.ts';
export * from './backlog.ts';
