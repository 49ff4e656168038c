import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '@shadowdiff/core';
import { startLocalRedis, type LocalRedis } from '@shadowdiff/local-infra';
import { CAPTURE_QUEUE, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { eventually, metricSum, runCli, startUpstream, stopStarted, type CliProcess, type TestUpstream } from '@shadowdiff/testkit';

/** A GET with any headers (fetch will not set Host), answered as parsed JSON. */
function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    })
      .on('error', reject)
      .end();
  });
}

async function startCli(args: string[], env: Record<string, string>): Promise<{ cli: CliProcess; url: string; admin: string }> {
  const cli = runCli(args, { ...env, SHADOWDIFF_LOG_LEVEL: 'warn' });
  const [, url] = await cli.waitFor(/listening on (http:\/\/\S+)/);
  const [, admin] = await cli.waitFor(/metrics on (http:\/\/\S+)\/metrics/);
  return { cli, url: url!, admin: admin! };
}

/**
 * Mesh pairing as it runs in a cluster: two separate recorder processes, one in front of each
 * side, that share only Redis; the mesh's copy carries the same x-request-id and a -shadow Host.
 */
describe('shadowdiff tap --mode recorder: two processes pair halves through Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-mesh-'));
  let redis: LocalRedis;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let onPrimary: Awaited<ReturnType<typeof startCli>>;
  let onCandidate: Awaited<ReturnType<typeof startCli>>;

  beforeAll(async () => {
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    primary = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', 'session=primary-secret-cookie; Path=/');
      res.end(JSON.stringify({ side: 'primary', url: req.url }));
    });
    candidate = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ side: 'candidate', url: req.url }));
    });
    const common = ['tap', '--mode', 'recorder', '--run', 'mesh-e2e', '--join-window-ms', '1000', '--tap-port', '0', '--admin-port', '0', '--state-dir', dir];
    const env = { REDIS_URL: redis.url };
    [onPrimary, onCandidate] = await Promise.all([
      startCli([...common, '--upstream', primary.url, '--side', 'primary'], env),
      startCli([...common, '--upstream', candidate.url, '--side', 'auto'], env),
    ]);
  });
  afterAll(async () => {
    const codes = await stopStarted({ processes: [onPrimary?.cli, onCandidate?.cli], upstreams: [primary, candidate], services: [redis], dirs: [dir] });
    expect(codes).toEqual([0, 0]);
  });

  it('joins the halves sharing an x-request-id into captures, serves each side untouched, counts the orphan', async () => {
    for (let i = 0; i < 20; i++) {
      const id = `mesh-${i}`;
      const toPrimary = () => getJson(`${onPrimary.url}/orders/${i}`, { 'x-request-id': id, host: 'orders', authorization: 'Bearer mesh-secret-token' });
      const toCandidate = () => getJson(`${onCandidate.url}/orders/${i}`, { 'x-request-id': id, host: 'orders-shadow', authorization: 'Bearer mesh-secret-token' });
      const [p, c] = i % 2 === 0 ? [await toPrimary(), await toCandidate()] : [...[await toCandidate(), await toPrimary()].reverse()];
      expect(p).toEqual({ side: 'primary', url: `/orders/${i}` });
      expect(c).toEqual({ side: 'candidate', url: `/orders/${i}` });
    }
    await fetch(`${onPrimary.url}/orders/lonely`, { headers: { 'x-request-id': 'orphan-1' } });
    await fetch(`${onPrimary.url}/orders/no-id`);

    const connection = createProducerConnection(redis.url);
    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection });
    const captures = await eventually(async () => {
      const jobs = await queue.getJobs(['waiting', 'prioritized']);
      const all: Capture[] = jobs.flatMap((j) => j.data.captures);
      return all.length >= 20 ? all : undefined;
    });
    await queue.close();
    connection.disconnect();
    expect(captures).toHaveLength(20);
    for (const capture of captures!) {
      const i = Number(capture.requestId!.slice('mesh-'.length));
      expect(capture.source).toBe('mesh');
      expect(capture.run).toBe('mesh-e2e');
      expect(capture.request.url).toBe(`/orders/${i}`);
      expect(capture.request.headers.host).toBe('orders');
      expect(JSON.parse(Buffer.from(capture.primary.body.base64, 'base64').toString())).toEqual({ side: 'primary', url: `/orders/${i}` });
      expect(JSON.parse(Buffer.from(capture.candidate.body.base64, 'base64').toString())).toEqual({ side: 'candidate', url: `/orders/${i}` });
      expect(capture.request.headers.authorization).toMatch(/^Bearer redacted:[0-9a-f]{32}$/);
    }
    expect(JSON.stringify(captures)).not.toMatch(/mesh-secret-token|primary-secret-cookie/);

    const admins = [onPrimary.admin, onCandidate.admin];
    expect(await metricSum(admins, 'shadowdiff_tap_halves_paired_total')).toBe(20);
    const unmatched = await eventually(async () => (await metricSum(admins, 'shadowdiff_tap_unmatched_halves_total', 'side="primary"')) || undefined, 10_000);
    expect(unmatched).toBe(1);
    expect(await metricSum(admins, 'shadowdiff_tap_unmatched_halves_total', 'side="candidate"')).toBe(0);
    expect(await metricSum(admins, 'shadowdiff_tap_dropped_total', 'reason="no_request_id"')).toBe(1);
  });
});

describe('shadowdiff tap (inline) from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-tapcli-'));
  let redis: LocalRedis;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let tap: Awaited<ReturnType<typeof startCli>>;

  beforeAll(async () => {
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    primary = await startUpstream((req, res) => void res.end(`primary ${req.url}`));
    candidate = await startUpstream((req, res) => void res.end(`candidate ${req.url}`));
    tap = await startCli(
      ['tap', '--primary', primary.url, '--candidate', candidate.url, '--run', 'cli-e2e', '--tap-port', '0', '--admin-port', '0', '--state-dir', dir, '--mirror-percentage', '50', '--sample-key', 'query:user'],
      { REDIS_URL: redis.url },
    );
  });
  afterAll(async () => {
    const codes = await stopStarted({ processes: [tap?.cli], upstreams: [primary, candidate], services: [redis], dirs: [dir] });
    expect(codes).toEqual([0]);
  });

  it('proxies every path (even /metrics) to the primary and serves its own metrics on the admin port', async () => {
    expect(await (await fetch(`${tap.url}/metrics`)).text()).toBe('primary /metrics');
    for (let user = 0; user < 40; user++) await (await fetch(`${tap.url}/a?user=${user}`)).text();
    const metrics = await (await fetch(`${tap.admin}/metrics`)).text();
    expect(metrics).toMatch(/shadowdiff_tap_requests_total\{outcome="ok"\} 41/);
    const mirrored = Number(/shadowdiff_tap_mirrored_total (\d+)/.exec(metrics)![1]);
    const sampledOut = Number(/shadowdiff_tap_not_mirrored_total\{reason="sampled_out"\} (\d+)/.exec(metrics)![1]);
    expect(mirrored + sampledOut).toBe(41);
    expect(mirrored).toBeGreaterThan(0);
    expect((await fetch(`${tap.admin}/healthz`)).status).toBe(200);
  });

  it('refuses bad flags with every problem listed', async () => {
    const bad = runCli(['tap', '--mode', 'recorder', '--join-window-ms', '0', '--sample-key', 'cookie:x', '--state-dir', dir], { REDIS_URL: redis.url });
    expect(await bad.exited()).toBe(2);
    expect(bad.stderr()).toMatch(/tap\.sampleKey/);
    expect(bad.stderr()).toMatch(/tap\.recorder\.joinWindowMs/);
  });
});
