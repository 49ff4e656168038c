import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedactor, silentLogger, type Capture, type Redactor } from '@shadowdiff/core';
import { createTap, shadowSettingsOf, shadowTargetsOf, type TapOptions } from '../src/app.ts';
import { createTapMetrics, type TapMetrics } from '../src/metrics.ts';
import type { ShadowSettings, ShadowSides } from '../src/shadow/shadow-jobs.ts';
import { createShadowProcessor } from '../src/shadow/shadow-processor.ts';
import { shadowReportHandlers } from '../src/shadow/shadow-reports.ts';
import { drainShadowSides, openShadowSides, type ShadowHandlers, type Shadows } from '../src/shadow/shadows.ts';

/** A response as the client saw it: raw header list, status line and the body bytes, undecoded. */
export interface RawResponse {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with no pooling and no decoding, so what the server sent is what the test sees. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, statusMessage: res.statusMessage!, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The end-to-end part of a raw header list: what a proxy must pass on unchanged. */
export function endToEnd(raw: readonly string[]): string[] {
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding']);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!hop.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/**
 * Shadows on the calling thread, captures emitted to `emit`: what the shadow thread does, without
 * the thread and the queue, so a test sees each capture as it is made.
 */
function startLocalShadows(options: { sides: ShadowSides; settings: ShadowSettings; redactor: Redactor; emit: (capture: Capture) => void }, handlers: ShadowHandlers): Shadows {
  const processJob = createShadowProcessor(options);
  let inFlight = 0;
  return {
    send(job) {
      inFlight += 1;
      void processJob(job).then((report) => {
        inFlight -= 1;
        handlers.onDone(report, job.exchangeId);
      });
    },
    get inFlight() {
      return inFlight;
    },
    close: (graceMs) => drainShadowSides(options.sides, () => inFlight, graceMs),
  };
}

/** An inline tap on a free loopback port, captures collected in an array. */
export interface TestTap {
  url: string;
  captures: Capture[];
  metrics: TapMetrics;
  close(): Promise<void>;
}

/** The key test taps redact with. */
export const TEST_REDACTION_KEY = Buffer.from('test-redaction-key-0123456789');

/** Starts an inline tap with test defaults (100% mirroring, 2 s shadow timeout) and `options` on top. */
export async function startTestTap(options: Partial<TapOptions> & Pick<TapOptions, 'primaryUrl' | 'candidateUrl'>): Promise<TestTap> {
  const captures: Capture[] = [];
  const metrics = createTapMetrics();
  const tapOptions: TapOptions = {
    run: 'test',
    mirrorPercentage: 100,
    mirrorUnsafeMethods: false,
    shadowTimeoutMs: 2000,
    maxBodyBytes: 1024 * 1024,
    shadowHostSuffix: true,
    maxInFlightShadows: 100,
    ...options,
  };
  const redactor = createRedactor({ key: TEST_REDACTION_KEY, headers: [], queryParams: [], bodyPaths: [], maxDecodedBytes: 1 << 20 });
  const logger = silentLogger();
  const shadows = startLocalShadows(
    { sides: openShadowSides(shadowTargetsOf(tapOptions)), settings: shadowSettingsOf(tapOptions), redactor, emit: (capture) => captures.push(capture) },
    shadowReportHandlers(metrics, logger),
  );
  const tap = createTap(tapOptions, { shadows, metrics, logger });
  await new Promise<void>((resolve) => tap.server.listen(0, '127.0.0.1', resolve));
  const { port } = tap.server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    await tap.close();
    await shadows.close(tapOptions.shadowTimeoutMs + 1000);
  };
  return { url: `http://127.0.0.1:${port}`, captures, metrics, close };
}

/** Sum of a counter's values whose labels include `labels`. */
export async function counterValue(metric: { get(): Promise<{ values: { value: number; labels: Partial<Record<string, string | number>> }[] }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
}
