export * from './capture';
export * from './errors';
export * from './ids';
export * from './listen';
export * from './logger';
export * from './route-templates';
export * from './secret-file';
