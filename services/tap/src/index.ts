export * from './app.ts';
export { scavengeOnCollectingThread } from './gc-tuning.ts';
export * from './metrics.ts';
export { createRecorder, captureFromHalves, isShadowHost, type RecorderOptions, type RecorderDeps } from './recorder.ts';
export { createRedactor, type Redactor, type RedactorOptions } from './redaction.ts';
export { loadRedactionKey } from './redaction-key.ts';
export { startTapService, redactionFromConfig, type TapService } from './service.ts';
