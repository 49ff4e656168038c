export * from './free-port.ts';
export * from './local-redis.ts';
export * from './embedded-postgres.ts';
export * from './state-owner.ts';
export * from './process-info.ts';
