export * from './schema.ts';
export * from './diff-schema.ts';
export * from './tap-schema.ts';
export * from './load.ts';
export { runNameSchema } from './schema-types.ts';
