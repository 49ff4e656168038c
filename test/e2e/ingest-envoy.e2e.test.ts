import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, eventually, runCli, startUp, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

const SECRET = 'envoy-tap-client-secret-42';

type Header = { key: string; value: string };
type Body = { as_bytes: string; truncated: boolean } | { as_string: string; truncated: boolean };
const bytes = (text: string): Body => ({ as_bytes: Buffer.from(text).toString('base64'), truncated: false });
const string = (text: string): Body => ({ as_string: text, truncated: false });

/** One trace as Envoy's file-per-tap sink writes it (JSON_BODY_AS_BYTES or _AS_STRING). */
function trace(side: 'primary' | 'candidate', requestId: string, path: string, requestBody: Body, responseBody: Body): string {
  const authority = side === 'candidate' ? 'orders-shadow:8000' : 'orders:8000';
  const headers: Header[] = [
    { key: ':method', value: 'POST' },
    { key: ':path', value: path },
    { key: ':authority', value: authority },
    { key: ':scheme', value: 'http' },
    { key: 'x-request-id', value: requestId },
    { key: 'content-type', value: 'application/json' },
    { key: 'authorization', value: `Bearer ${SECRET}` },
  ];
  return JSON.stringify({
    http_buffered_trace: {
      request: { headers, body: requestBody, trailers: [] },
      response: { headers: [{ key: ':status', value: '200' }, { key: 'content-type', value: 'application/json' }], body: responseBody, trailers: [] },
    },
  });
}

/**
 * `shadowdiff ingest --envoy-tap DIR` as a user runs it beside `shadowdiff up`: Envoy's tap files
 * of both sides of a mirror in one folder, followed as new ones appear, joined by x-request-id
 * into exchanges that the API then shows like live traffic.
 */
describe('shadowdiff ingest --envoy-tap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-envoy-'));
  const taps = join(dir, 'taps');
  mkdirSync(taps);
  let db: TestDatabase;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let up: CliProcess;
  let apiUrl: string;
  let ingest: CliProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    primary = await startUpstream((_req, res) => void res.end('{}'));
    candidate = await startUpstream((_req, res) => void res.end('{}'));
    const stack = await startUp(
      ['--primary', primary.url, '--candidate', candidate.url, '--run', 'live', '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--state-dir', join(dir, 'state')],
      { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' },
    );
    up = stack.cli;
    apiUrl = stack.apiUrl;
  });
  afterAll(async () => {
    const codes = await stopStarted({ processes: [ingest, up], upstreams: [primary, candidate], db, dirs: [dir] });
    expect(codes.at(-1)).toBe(0);
  });

  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${apiUrl}/api/v1${path}`)).json()) as T;
  const storedIds = async (): Promise<string[]> =>
    (await db.pool.query<{ id: string }>("SELECT e.id FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'envoy-e2e' ORDER BY e.url")).rows.map((r) => r.id);

  it('joins the primary and candidate traces of each request into one exchange, following new files until Ctrl-C', async () => {
    writeFileSync(join(taps, 'orders_1.json'), trace('primary', 'rid-1', '/orders/1', string('{"qty":1}'), bytes('{"id":1,"total":10}')));
    writeFileSync(join(taps, 'orders-shadow_2.json'), trace('candidate', 'rid-1', '/orders/1', string('{"qty":1}'), string('{"id":1,"total":"10"}')));
    writeFileSync(join(taps, 'orders_3.json'), trace('primary', 'rid-2', '/orders/2', bytes('{"qty":2}'), string('{"id":2,"total":20}')));
    writeFileSync(join(taps, 'broken_4.json'), '{"http_streamed_trace_segment":{"trace_id":"1"}}');
    writeFileSync(join(taps, 'orders.pb'), 'binary');

    ingest = runCli(['ingest', '--envoy-tap', taps, '--api', apiUrl, '--run', 'envoy-e2e', '--poll-ms', '100'], { SHADOWDIFF_LOG_LEVEL: 'warn' });
    await ingest.waitFor(/sent 3 halves: 3 accepted, 0 rejected, 1 exchanges joined/);
    expect(ingest.stdout()).toMatch(/skipped \S*broken_4\.json: not an Envoy http_buffered_trace/);
    expect(ingest.stdout()).toMatch(/skipping 1 protobuf tap file\(s\) such as orders\.pb/);

    // Written after the command started: the candidate's half of rid-2 completes it.
    writeFileSync(join(taps, 'orders-shadow_5.json'), trace('candidate', 'rid-2', '/orders/2', bytes('{"qty":2}'), bytes('{"id":2,"total":21}')));
    await ingest.waitFor(/sent 4 halves: 4 accepted, 0 rejected, 2 exchanges joined/);

    const ids = await eventually(async () => {
      const found = await storedIds();
      return found.length === 2 ? found : undefined;
    }, 30_000);
    expect(ids).toBeDefined();
    const runs = await api<{ items: { name: string; exchanges: number }[] }>('/runs');
    expect(runs.items.find((r) => r.name === 'envoy-e2e')?.exchanges).toBe(2);

    type Shown = { url: string; request: { headers: Record<string, string>; body: { text?: string } }; responses: Record<'primary' | 'candidate', { status: number; captured: { body: { text?: string } } }> };
    const [first, second] = await Promise.all(ids!.map((id) => api<Shown>(`/exchanges/${id}`)));
    expect(first!.url).toBe('/orders/1');
    expect(first!.request.body.text).toBe('{"qty":1}');
    expect(first!.responses.primary.captured.body.text).toBe('{"id":1,"total":10}');
    expect(first!.responses.candidate.captured.body.text).toBe('{"id":1,"total":"10"}');
    expect(second!.url).toBe('/orders/2');
    expect(second!.request.body.text).toBe('{"qty":2}');
    expect(second!.responses.candidate.captured.body.text).toBe('{"id":2,"total":21}');
    // Redacted with the taps' key before it was queued.
    expect(first!.request.headers.authorization).toMatch(/^Bearer redacted:[0-9a-f]{32}$/);
    expect(JSON.stringify([first, second])).not.toContain(SECRET);

    ingest.child.kill('SIGINT');
    expect(await ingest.exited()).toBe(0);
    expect(ingest.stdout()).toMatch(/Ingested into run "envoy-e2e": 4 halves sent, 4 accepted, 0 rejected, 2 exchanges joined; 1 files could not be read\./);
  });
});
