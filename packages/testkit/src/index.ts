export * from './test-database.ts';
export * from './upstream.ts';
export * from './cli-process.ts';
export * from './teardown.ts';
export * from './process-tree.ts';
export * from './order-capture.ts';
export * from './redis-cluster.ts';
export * from './freezing-proxy.ts';
