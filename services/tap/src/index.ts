export { scavengeOnCollectingThread } from './gc-tuning.ts';
export { startTapService, type TapService } from './service.ts';
export { replayIntoRun, type FiledReplay, type ReplayRequest } from './replay/replay-service.ts';
export { parsePace, type ReplayPace } from './replay/replay-pace.ts';
export { envNameForHeader, type RedactedPolicy, type SkipReason } from './replay/replay-plan.ts';
export type { ReplayProgress } from './replay/replay.ts';
