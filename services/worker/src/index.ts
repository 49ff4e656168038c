export * from './worker';
export * from './process-batch';
export * from './from-config';
export { startAdminServer, type AdminServer, type AdminServerOptions, type Readiness } from './admin-server';
