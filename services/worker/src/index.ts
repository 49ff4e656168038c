export * from './worker.ts';
export * from './from-config.ts';
export { startAdminServer, type AdminServer, type AdminServerOptions, type Readiness } from './admin-server.ts';
