import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, eventually, runCli, startUp, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

/**
 * The gate as CI runs it: real traffic through `shadowdiff up` into two runs (a clean baseline,
 * then a rehearsal whose candidate adds a field, is slow on one route and sees little traffic on
 * another), then `shadowdiff gate` as a child process, judged by exit code and JUnit output.
 */
describe('shadowdiff gate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-gate-'));
  let db: TestDatabase;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let apiUrl: string;
  let cli: CliProcess | undefined;
  let rehearsal = false;

  const env = (): Record<string, string> => ({ DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' });
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  const base = file(
    'base.yaml',
    [
      'maxDifferenceRate: 0.1',
      'maxRouteDifferenceRate: 0.15',
      'maxStatusMismatchRate: 0.1',
      'maxRouteStatusMismatchRate: 0.15',
      'maxCandidateErrorRate: 0.1',
      'maxRouteCandidateErrorRate: 0.15',
      'maxP99LatencyRatio: 2',
      'latencyToleranceMs: 120',
      'minExchangesPerRoute: 20',
    ].join('\n'),
  );
  const loose = (extra: string[]): string =>
    [
      'maxDifferenceRate: 1',
      'maxRouteDifferenceRate: 1',
      'maxStatusMismatchRate: 1',
      'maxRouteStatusMismatchRate: 1',
      'maxCandidateErrorRate: 1',
      'maxRouteCandidateErrorRate: 1',
      'minExchangesPerRoute: 20',
      ...extra,
    ].join('\n');

  async function capture(run: string, traffic: [string, number][]): Promise<void> {
    // No secondary: control copies of every request are the noise control and the latency reference.
    const stack = await startUp(['--primary', primary.url, '--candidate', candidate.url, '--control-percentage', '100', '--run', run, '--tap-port', '0', '--api-port', '0', '--state-dir', dir], env());
    cli = stack.cli;
    apiUrl = stack.apiUrl;
    const tapUrl = stack.tapUrl;
    let total = 0;
    for (const [path, count] of traffic) {
      for (let i = 1; i <= count; i++) {
        const res = await fetch(`${tapUrl}${path}/${i}`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      total += count;
    }
    const stored = await eventually(async () => {
      const res = await fetch(`${apiUrl}/api/v1/runs/${run}/endpoints`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { overall: { exchanges: number } };
      return body.overall.exchanges >= total ? body.overall.exchanges : undefined;
    }, 30_000);
    expect(stored).toBe(total);
  }

  async function gate(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const child = runCli(['gate', '--api', apiUrl, ...args], env());
    const code = await child.exited();
    return { code, out: child.stdout(), err: child.stderr() };
  }

  const testcases = (xml: string): Map<string, string> =>
    new Map([...xml.matchAll(/<testcase name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => [m[1]!.replace(/&#123;|&#125;/g, ''), m[2]!]));

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    const answer = (path: string | undefined, extra: Record<string, unknown>) => JSON.stringify({ path, name: 'widget', price: 10, ...extra });
    primary = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(answer(req.url, {}));
    });
    candidate = await startUpstream(async (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (!rehearsal) return void res.end(answer(req.url, {}));
      if (req.url?.startsWith('/slow/')) await new Promise((r) => setTimeout(r, 300));
      res.end(answer(req.url, req.url?.startsWith('/items/') ? { badge: 'new' } : {}));
    });
    // 100 on the slow route: latency is judged over at least 100 exchanges timed alike.
    await capture('baseline', [
      ['/items', 40],
      ['/slow', 100],
    ]);
    await cli!.stop();
    rehearsal = true;
    await capture('rehearsal', [
      ['/items', 40],
      ['/slow', 100],
      ['/rare', 5],
    ]);
  });

  afterAll(async () => {
    const codes = await stopStarted({ processes: [cli], upstreams: [primary, candidate], db, dirs: [dir] });
    expect(codes).toEqual([0]);
  });

  it('passes a clean run: exit 0 and a JUnit test case per route without failures', async () => {
    const junit = join(dir, 'pass.xml');
    const result = await gate(['--run', 'baseline', '--thresholds', base, '--junit', junit]);
    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toMatch(/gate PASSED for run baseline/);
    const cases = testcases(readFileSync(junit, 'utf8'));
    expect([...cases.keys()].sort()).toEqual(['GET /items/{id}', 'GET /slow/{id}', 'run']);
    expect([...cases.values()].some((body) => body.includes('<failure'))).toBe(false);
  });

  it('fails on differences, latency and insufficient data, one failing test case each', async () => {
    const junit = join(dir, 'fail.xml');
    const result = await gate(['--run', 'rehearsal', '--thresholds', base, '--junit', junit]);
    expect(result.code, result.out + result.err).toBe(1);
    const cases = testcases(readFileSync(junit, 'utf8'));
    expect(cases.get('GET /items/{id}')).toMatch(/<failure type="difference_rate"/);
    expect(cases.get('GET /slow/{id}')).toMatch(/<failure type="p99_latency_ratio"/);
    expect(cases.get('GET /rare/{id}')).toMatch(/<failure type="insufficient_data"/);
  });

  it('fails on latency alone when the differences are within limits', async () => {
    const result = await gate(['--run', 'rehearsal', '--thresholds', file('latency.yaml', loose(['maxP99LatencyRatio: 2', 'latencyToleranceMs: 120', 'allowInsufficientData: true']))]);
    expect(result.code).toBe(1);
    const reasons = result.out.split('\n').filter((line) => line.startsWith('  ✗'));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((line) => /p99 latency/.test(line))).toBe(true);
  });

  it('fails on insufficient data unless allowed, then reports it as skipped', async () => {
    const strict = await gate(['--run', 'rehearsal', '--thresholds', file('few.yaml', loose(['maxP99LatencyRatio: 100000']))]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/GET \/rare\/\{id\}: insufficient data: 5 exchanges < 20 needed/);
    const junit = join(dir, 'allowed.xml');
    const allowed = await gate(['--run', 'rehearsal', '--thresholds', file('allowed.yaml', loose(['maxP99LatencyRatio: 100000', 'allowInsufficientData: true'])), '--junit', junit]);
    expect(allowed.code, allowed.out).toBe(0);
    expect(testcases(readFileSync(junit, 'utf8')).get('GET /rare/{id}')).toMatch(/<skipped message="insufficient data/);
  });

  it('calls out a field that differs now but did not in the baseline', async () => {
    const markdown = join(dir, 'gate.md');
    const thresholds = file('baseline.yaml', loose(['maxP99LatencyRatio: 100000', 'allowInsufficientData: true']));
    const result = await gate(['--run', 'rehearsal', '--thresholds', thresholds, '--baseline', 'baseline', '--markdown', markdown]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/new differing fields since the baseline: body\.badge/);
    expect(readFileSync(markdown, 'utf8')).toMatch(/❌ FAIL/);
    expect((await gate(['--run', 'rehearsal', '--thresholds', thresholds, '--baseline', 'rehearsal'])).code).toBe(0);
  });

  it('exits 2 when it cannot evaluate: unknown run, unreachable API, bad thresholds, missing --run', async () => {
    const missing = await gate(['--run', 'no-such-run']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no run with id or name 'no-such-run'/);
    const unreachable = runCli(['gate', '--run', 'baseline', '--api', 'http://127.0.0.1:9'], env());
    expect(await unreachable.exited()).toBe(2);
    expect(unreachable.stderr()).toMatch(/cannot reach the shadowdiff API at http:\/\/127\.0\.0\.1:9/);
    const bad = await gate(['--run', 'baseline', '--thresholds', file('bad.yaml', 'maxDifferenceRate: lots\ncolour: red\n')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/maxDifferenceRate/);
    expect(bad.err).toMatch(/colour/);
    expect((await gate([])).code).toBe(2);
  });
});
