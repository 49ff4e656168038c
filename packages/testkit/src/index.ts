export * from './test-database';
export * from './upstream';
export * from './cli-process';
export * from './teardown';
export * from './process-tree';
