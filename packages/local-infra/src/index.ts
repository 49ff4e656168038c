export * from './free-port';
export * from './local-redis';
export * from './embedded-postgres';
export * from './state-owner';
export * from './process-info';
