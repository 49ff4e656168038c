export * from './envoy-tap.ts';
export * from './export-lines.ts';
export * from './goreplay.ts';
export * from './har.ts';
export * from './ingest-lines.ts';
export * from './read.ts';
export * from './recorded.ts';
