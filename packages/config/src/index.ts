export * from './schema';
export * from './diff-schema';
export * from './tap-schema';
export * from './load';
