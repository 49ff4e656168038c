export * from './app';
export { scavengeOnCollectingThread } from './gc-tuning';
export * from './metrics';
export { createRecorder, captureFromHalves, isShadowHost, type RecorderOptions, type RecorderDeps } from './recorder';
export { createRedactor, type Redactor, type RedactorOptions } from './redaction';
export { loadRedactionKey } from './redaction-key';
export { startTapService, redactionFromConfig, type TapService } from './service';
