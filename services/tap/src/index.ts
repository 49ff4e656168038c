export * from './app';
export * from './metrics';
export { startTapService, type TapService } from './service';
