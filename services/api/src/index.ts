export * from './app';
export * from './service';
export { gateThresholdsSchema, DEFAULT_GATE_THRESHOLDS, type GateThresholds } from './gate/thresholds';
export { renderGateJunit } from './gate/junit';
export { renderGateMarkdown } from './gate/markdown';
export type { GateResult } from './gate/run-gate';
export type { GateCheck, RouteGate } from './gate/evaluate';
export { parseThresholdsFile } from './gate/thresholds-file';
