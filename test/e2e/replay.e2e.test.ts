import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, runCli, startUp, startUpstream, stopStarted, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

/**
 * `shadowdiff replay` as a user runs it: a recording written to the documented formats, replayed
 * against upstreams of the test's own, with the pipeline on this machine (the test's Postgres and
 * Redis); the results read back from Postgres.
 */
const SEPARATOR = '\n🐵🙈🙉\n';
const T0 = 1_764_583_200_000_000_000n;

/** The primary answers `{ id, total: 10 }`; the candidate changed the total's type. */
const answer = (version: 'v1' | 'v2') => (req: { url?: string }, res: import('node:http').ServerResponse) => {
  const id = Number(req.url?.split('/')[3] ?? 0);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ id, total: version === 'v1' ? 10 : '10' }));
};

/** A GoReplay file of `count` GETs (with their recorded responses when asked) and one POST. */
function goReplayFile(count: number, withResponses: boolean): Buffer {
  const payloads: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `a${i}`;
    const at = T0 + BigInt(i) * 1_000_000n;
    payloads.push(`1 ${id} ${at}\nGET /api/orders/${i} HTTP/1.1\r\nHost: orders.local\r\nAccept: application/json\r\n\r\n`);
    const body = JSON.stringify({ id: i, total: 10 });
    if (withResponses) payloads.push(`2 ${id} ${at + 500_000n} 400000\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
  payloads.push(`1 p1 ${T0 + BigInt(count) * 1_000_000n}\nPOST /api/orders HTTP/1.1\r\nHost: orders.local\r\nContent-Length: 2\r\n\r\n{}`);
  return Buffer.from(payloads.map((p) => p + SEPARATOR).join(''));
}

describe('shadowdiff replay', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let db: TestDatabase;
  const work = mkdtempSync(join(tmpdir(), 'shadowdiff-replay-'));
  const file = (name: string, content: Buffer | string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    primary = await startUpstream(answer('v1'));
    candidate = await startUpstream(answer('v2'));
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
  });
  afterAll(async () => {
    await stopStarted({ processes: [], upstreams: [primary, candidate], db, dirs: [work] });
  });

  const replay = async (args: string[]) => {
    const cli = runCli(['replay', ...args, '--api-port', '0', '--worker-admin-port', '0', '--state-dir', join(work, 'state')], {
      DATABASE_URL: db.url,
      REDIS_URL: inject('redisUrl'),
      SHADOWDIFF_LOG_LEVEL: 'warn',
    });
    const code = await cli.exited();
    return { code, out: cli.stdout(), err: cli.stderr(), cli };
  };
  const stored = async (run: string): Promise<{ id: string; url: string; primary_status: number }[]> =>
    (await db.pool.query('SELECT e.id, e.url, e.primary_status FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = $1 ORDER BY e.url', [run])).rows;

  const sources = async (run: string): Promise<string[]> => (await db.pool.query('SELECT traffic_sources FROM runs WHERE name = $1', [run])).rows[0]?.traffic_sources ?? [];

  it('files a GoReplay recording, plain or gzipped, with its recorded responses as the primary', async () => {
    const plain = await replay(['--from', file('orders.gor', goReplayFile(40, true)), '--candidate', candidate.url, '--run', 'gor-recorded', '--speed', 'max']);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toContain('Replaying 41 exchanges');
    expect(plain.out).toContain('the recorded responses stand for the primary');
    expect(plain.out).toMatch(/Replayed 40 requests .*; 40 exchanges compared and stored/);
    expect(plain.out).toContain('skipped 1: unsafe method');
    expect(plain.out).toMatch(/type number → string on body\.total/);
    expect(plain.out).toMatch(/gate FAILED for run gor-recorded/);
    expect(primary.requests).toHaveLength(0);
    expect(candidate.requests).toHaveLength(40);
    expect(candidate.requests[0]!.headers.host).toBe('orders.local-shadow');
    expect(await stored('gor-recorded')).toHaveLength(40);
    expect(await sources('gor-recorded')).toEqual(['replay of orders.gor']);

    const zipped = await replay(['--from', file('orders.gor.gz', gzipSync(goReplayFile(40, true))), '--candidate', candidate.url, '--run', 'gor-zipped', '--rate', '400']);
    expect(zipped.code, zipped.err).toBe(0);
    expect(await stored('gor-zipped')).toHaveLength(40);
    expect(await sources('gor-zipped')).toEqual(['replay of orders.gor.gz']);
  });

  it('exports a stored run and replays it, from the file or straight from the run, against a new candidate', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' };
    const { cli: up, apiUrl } = await startUp(['--primary', primary.url, '--candidate', candidate.url, '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--worker-admin-port', '0', '--state-dir', join(work, 'up-state')], env);
    const exported = runCli(['export', '--run', 'gor-recorded', '--api', apiUrl], env);
    expect(await exported.exited(), exported.stderr()).toBe(0);
    await up.stop();
    const lines = exported.stdout().trim().split('\n').map((line) => JSON.parse(line) as { format: string; request: { url: string } });
    expect(lines).toHaveLength(40);
    expect(lines[0]!.format).toBe('shadowdiff.exchange.v1');
    expect(exported.stderr()).toContain('exported 40 exchanges of run gor-recorded');

    const fromFile = await replay(['--from', file('gor-recorded.ndjson', exported.stdout()), '--candidate', primary.url, '--run', 'from-export', '--speed', 'max']);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(fromFile.out).toContain('(shadowdiff-export)');
    // The candidate is now the primary itself: a run of the same answers finds nothing real.
    expect(fromFile.out).not.toMatch(/type number → string/);
    expect(await stored('from-export')).toHaveLength(40);

    const fromRun = await replay(['--from-run', 'gor-recorded', '--primary', primary.url, '--candidate', candidate.url, '--speed', 'max']);
    expect(fromRun.code, fromRun.err).toBe(0);
    expect(fromRun.out).toContain('Replaying 40 exchanges from run gor-recorded');
    expect(fromRun.out).toMatch(/type number → string on body\.total/);
    expect(await stored('gor-recorded-replay')).toHaveLength(40);
    expect(await sources('gor-recorded-replay')).toEqual(['replay of run gor-recorded']);
  });

  it('re-drives the primary when given, and replays unsafe methods only when allowed', async () => {
    const before = primary.requests.length;
    const result = await replay(['--from', file('bare.gor', goReplayFile(20, false)), '--primary', primary.url, '--candidate', candidate.url, '--run', 'gor-redriven', '--speed', 'max', '--allow-unsafe']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('the primary is called again');
    expect(primary.requests.length - before).toBe(21);
    const rows = await stored('gor-redriven');
    expect(rows).toHaveLength(21);
    expect(rows.find((r) => r.url === '/api/orders')).toBeDefined();
  });

  it('stops cleanly on Ctrl-C, and --resume files every exchange exactly once', async () => {
    const recording = file('long.gor', goReplayFile(120, true));
    const args = ['--from', recording, '--candidate', candidate.url, '--run', 'resumed', '--rate', '40', '--concurrency', '4'];
    const first = runCli(['replay', ...args, '--api-port', '0', '--worker-admin-port', '0', '--state-dir', join(work, 'state')], { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' });
    await first.waitFor(/Replaying 121 exchanges/);
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGINT');
    expect(await first.exited(), first.stderr()).toBe(0);
    expect(first.stdout()).toMatch(/Stopped after \d+ of 121: `shadowdiff replay --resume`/);
    const partial = await stored('resumed');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(120);

    const restarted = await replay(args);
    expect(restarted.code).not.toBe(0);
    expect(restarted.err).toMatch(/a stopped replay of .*long\.gor into run "resumed" sent \d+ of 121: --resume carries on, --fresh starts over/);
    expect((await stored('resumed')).length).toBe(partial.length);

    const resumed = await replay([...args, '--resume', '--rate', '400']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/were replayed before this resumed replay and not sent again/);
    const rows = await stored('resumed');
    expect(rows).toHaveLength(120);
    expect(new Set(rows.map((r) => r.url)).size).toBe(120);

    const again = await replay([...args, '--resume']);
    expect(again.code).not.toBe(0);
    expect(again.err).toMatch(/already finished; replay without --resume to send it again/);
  });

  it('refuses a damaged or unknown recording with the entry named, and files nothing', async () => {
    const har = JSON.stringify({ log: { version: '1.2', entries: [{ startedDateTime: '2026-11-30T10:00:00Z', request: { method: 'GET', url: 'http://x/a', headers: [] } }] } });
    const cases: [string, string | Buffer, RegExp][] = [
      ['cut.har', har.slice(0, -30), /cut\.har: not valid JSON .*cut short/],
      ['notes.txt', 'hello\n', /notes\.txt: not a recording shadowdiff reads/],
      ['empty.har', '', /empty\.har: the file is empty/],
      ['joined.gor', goReplayFile(2, true).toString().replace(SEPARATOR, '\n'), /joined\.gor: record 1: another payload follows without its separator line/],
    ];
    for (const [name, content, message] of cases) {
      const result = await replay(['--from', file(name, content), '--candidate', candidate.url, '--run', `bad-${name}`]);
      expect(result.code, name).not.toBe(0);
      expect(result.err, name).toMatch(message);
      expect(await stored(`bad-${name}`), name).toHaveLength(0);
    }
  });
});
