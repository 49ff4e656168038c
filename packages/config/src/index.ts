export * from './schema';
export * from './diff-schema';
export * from './tap-schema';
export * from './load';
export { runNameSchema } from './schema-types';
