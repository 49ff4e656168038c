export { scavengeOnCollectingThread } from './gc-tuning.ts';
export { startTapService, type TapService } from './service.ts';
