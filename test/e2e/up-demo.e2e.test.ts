import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStateFolder, runCli, startUp, watchProcessTree } from '@shadowdiff/testkit';

/** The README's first command with nothing configured: embedded Postgres, local Redis, the demo. */
describe('shadowdiff up (demo, embedded defaults)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'shadowdiff-demo-'));
  afterAll(() => removeStateFolder(stateDir));

  it('starts everything, drives the demo traffic and prints what differs', async () => {
    // 900 requests: every route gets enough exchanges for its p99 to be more than its slowest one.
    const cli = runCli(['up', '--exit-after-demo', '--requests', '900', '--tap-port', '0', '--api-port', '0', '--state-dir', stateDir], {
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      SHADOWDIFF_LOG_LEVEL: 'warn',
    });
    const code = await cli.exited();
    const out = cli.stdout();
    expect(code, cli.stderr()).toBe(0);
    expect(out).toMatch(/postgres\s+embedded/);
    expect(out).toMatch(/redis\s+local redis-server/);
    expect(out).toMatch(/Sent 900 requests through the tap \(0 failed\)/);
    const [, mirrored] = out.match(/(\d+) mirrored/)!;
    expect(out).toContain(`${mirrored} exchanges compared and stored.`);
    // The demo's deliberate differences, and nothing else, as findings: one line each, noise on one line.
    const findings = out.slice(out.indexOf('\nFindings')).split('\n').slice(2).filter((l) => l.startsWith('  '));
    const real = findings.filter((l) => /^\s+real\s/.test(l)).map((l) => l.replace(/^\s+real\s+/, '').replace(/\s+—.*$/, ''));
    expect(real.sort()).toEqual([
      'array order changed on body.items',
      'field added: body.loyaltyTier',
      'field renamed body.email → body.emailAddress (same values)',
      'status 200 → 500 (body replaced)',
      expect.stringMatching(/^type number → string on body\.items\[\*\]\.total, body\.total \(\d routes\)$/),
    ]);
    expect(findings.length).toBeLessThanOrEqual(8);
    const noise = findings.filter((l) => /^\s+noise\s/.test(l));
    expect(noise).toHaveLength(1);
    expect(noise[0]).toMatch(/value changed on body\.generatedAt, body\.traceId/);
    // The candidate fails some product lookups: status mismatches and candidate errors are counted.
    expect(out).toMatch(/GET \/api\/products\/\{id\}\s+\d+\s+\S+\s+[1-9]\d*\s+[1-9]\d*\s/);
    // The candidate's latency is timed against the secondary, whose copy leaves with it from the
    // same thread; the demo's sides run the same code at the same speed, so the p99 ratios sit at 1.
    expect(out).toContain('(p99 ratio: candidate ÷ secondary, sent together from the same thread)');
    const ratios = [...out.matchAll(/^GET \S+\s+\d+\s+\S+\s+\d+\s+\d+\s+([\d.]+)x$/gm)].map((m) => Number(m[1]));
    expect(ratios.length).toBeGreaterThanOrEqual(5);
    // GET /api/health differs only in its timestamp and trace id, as the secondary does: noise, not real.
    expect(out).toMatch(/^GET \/api\/health\s+\d+\s+0\.0%/m);
    expect(existsSync(join(stateDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(stateDir, 'redis', 'appendonlydir'))).toBe(true);
  });

  it('stops in order on Ctrl-C in the middle of the demo, exits 0 and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-demo-stop-'));
    const cli = runCli(['up', '--requests', '100000', '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--state-dir', dir], { DATABASE_URL: undefined, REDIS_URL: undefined, SHADOWDIFF_LOG_LEVEL: 'warn' });
    try {
      await cli.waitFor(/Demo: primary v1 vs candidate v2/, 120_000);
      const tree = watchProcessTree(cli.child.pid!);
      await new Promise((r) => setTimeout(r, 1000));
      cli.child.kill('SIGINT');
      expect(await cli.exited(), cli.stderr()).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(tree.stillRunning()).toEqual([]);
      tree.stop();
    } finally {
      await cli.stop();
      removeStateFolder(dir);
    }
  });

  it('does not fail the demo on latency, and measures its equally fast sides as equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-demo-gate-'));
    // 900 requests: the busiest routes get over 100 exchanges, so their latency is judged.
    const up = await startUp(['--requests', '900', '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--state-dir', dir], { DATABASE_URL: undefined, REDIS_URL: undefined, SHADOWDIFF_LOG_LEVEL: 'warn' }, 120_000);
    try {
      const gate = runCli(['gate', '--run', 'demo', '--api', up.apiUrl, '--json']);
      expect(await gate.exited(), gate.stderr()).toBe(1);
      const result = JSON.parse(gate.stdout()) as { reasons: string[]; routes: { checks: { check: string; passed: boolean; message: string }[] }[] };
      // It fails, on the demo's deliberate differences, never on latency.
      expect(result.reasons.length).toBeGreaterThan(0);
      expect(result.reasons.filter((r) => /latency/.test(r))).toEqual([]);
      expect(result.routes.flatMap((r) => r.checks).filter((c) => c.check === 'p99_latency_ratio' && !c.passed)).toEqual([]);
      // Judged, not waved through: against the secondary, timed alike.
      const latency = result.routes.flatMap((r) => r.checks).filter((c) => c.check === 'p99_latency_ratio');
      expect(latency.filter((c) => / ms on the secondary /.test(c.message)).length).toBeGreaterThanOrEqual(2);

      // The sides run the same code at the same speed, and are timed alike: every route's median
      // ratio stays clear of the gate's latency limit (×1.5) either way, and over the whole run
      // the candidate's p99 is no slower than the secondary's beyond doubt (a route's p99 over a
      // few dozen exchanges moves with one stall of either process, so it is bounded, not pinned).
      // Tighter bounds on a median of a hundred sub-millisecond times would measure how busy the
      // machine running the test is, not the timing.
      const { items, overall } = (await (await fetch(`${up.apiUrl}/api/v1/runs/demo/endpoints`)).json()) as {
        items: { route: string; latency: { basis: string; samples: number; ratio: { p50: number } } }[];
        overall: { latency: { basis: string; ratio: { p50: number; p99: number }; p99Bounds: { candidateLow: number; referenceHigh: number } } };
      };
      for (const { route, latency: l } of items) {
        expect(l.basis, route).toBe('secondary');
        // A median over a few dozen exchanges moves with the machine's load: judged from 100 on.
        if (l.samples < 100) continue;
        expect(l.ratio.p50, route).toBeGreaterThan(1 / 1.5);
        expect(l.ratio.p50, route).toBeLessThan(1.5);
      }
      expect(items.filter((i) => i.latency.samples >= 100).length).toBeGreaterThanOrEqual(2);
      expect(overall.latency.basis).toBe('secondary');
      expect(overall.latency.p99Bounds.candidateLow).toBeLessThanOrEqual(overall.latency.p99Bounds.referenceHigh * 1.25);
    } finally {
      await up.cli.stop();
      removeStateFolder(dir);
    }
  });
});
