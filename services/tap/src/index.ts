export { scavengeOnCollectingThread } from './gc-tuning.ts';
export { startTapService } from './service.ts';
export { replayIntoRun, type FiledReplay } from './replay/replay-service.ts';
export { parsePace } from './replay/replay-pace.ts';
export type { RedactedPolicy } from './replay/replay-plan.ts';
export type { ReplayProgress } from './replay/replay.ts';
export { SHADOW_THREAD_NAME } from './shadow/thread-name.ts';
