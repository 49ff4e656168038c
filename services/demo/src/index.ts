export { startDemoUpstreams, type DemoUpstreams, type DemoUpstreamsOptions } from './demo-upstreams';
export { startDemoServer, type DemoServer, type DemoServerOptions } from './demo-server';
export {
  driveDemoTraffic,
  type DemoTrafficResult,
  type DriveDemoTrafficOptions,
} from './traffic-driver';
export { describeDemoDifferences } from './version-v2';
