export { startDemoUpstreams, type DemoUpstreams, type DemoUpstreamsOptions } from './demo-upstreams.ts';
export { startDemoServer, type DemoServer, type DemoServerOptions } from './demo-server.ts';
export {
  driveDemoTraffic,
  type DemoTrafficResult,
  type DriveDemoTrafficOptions,
} from './traffic-driver.ts';
export { describeDemoDifferences } from './version-v2.ts';
export { apiV1 } from './version-v1.ts';
export { apiV2 } from './version-v2.ts';
export type { ApiVersion } from './handlers.ts';
