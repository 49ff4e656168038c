export { startDemoUpstreams, type DemoUpstreams, type DemoUpstreamsOptions } from './demo-upstreams';
export { startDemoServer, type DemoServer, type DemoServerOptions } from './demo-server';
export {
  driveDemoTraffic,
  type DemoTrafficResult,
  type DriveDemoTrafficOptions,
} from './traffic-driver';
export { describeDemoDifferences } from './version-v2';
export { apiV1 } from './version-v1';
export { apiV2 } from './version-v2';
export type { ApiVersion } from './handlers';
