export * from './capture.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './listen.ts';
export * from './logger.ts';
export * from './route-templates.ts';
export * from './secret-file.ts';
