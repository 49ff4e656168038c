import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStateFolder, runCli } from '@shadowdiff/testkit';

/** The README's first command with nothing configured: embedded Postgres, local Redis, the demo. */
describe('shadowdiff up (demo, embedded defaults)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'shadowdiff-demo-'));
  afterAll(() => removeStateFolder(stateDir));

  it('starts everything, drives the demo traffic and prints what differs', async () => {
    const cli = runCli(['up', '--exit-after-demo', '--tap-port', '0', '--api-port', '0', '--state-dir', stateDir], {
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      SHADOWDIFF_LOG_LEVEL: 'warn',
    });
    const code = await cli.exited();
    const out = cli.stdout();
    expect(code, cli.stderr()).toBe(0);
    expect(out).toMatch(/postgres\s+embedded/);
    expect(out).toMatch(/redis\s+local redis-server/);
    expect(out).toMatch(/Sent 300 requests through the tap \(0 failed\)/);
    const [, mirrored] = out.match(/(\d+) mirrored/)!;
    expect(out).toContain(`${mirrored} exchanges compared and stored.`);
    // The deliberate differences of the demo are found.
    expect(out).toMatch(/GET \/api\/users\/\{id\}\s+body\.emailAddress/);
    expect(out).toMatch(/GET \/api\/orders\/\{id\}\s+body\.total/);
    // The candidate fails some product lookups: status mismatches and candidate errors are counted.
    expect(out).toMatch(/GET \/api\/products\/\{id\}\s+\d+\s+\S+\s+[1-9]\d*\s+[1-9]\d*\s/);
    // Volatile fields are judged against the secondary as noise, not reported as real.
    expect(out).toMatch(/noise\s+GET \/api\/orders\/\{id\}\s+body\.traceId/);
    // Each side is its own process and the two v1 sides are the same code: candidate and primary
    // latencies are measured alike, so their p99 ratios sit near 1 (a wide margin for a busy machine).
    const ratios = [...out.matchAll(/^GET \S+\s+\d+\s+\S+\s+\d+\s+\d+\s+([\d.]+)x$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(ratios.length).toBeGreaterThanOrEqual(5);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeLessThan(2.5);
    expect(existsSync(join(stateDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(stateDir, 'redis', 'appendonlydir'))).toBe(true);
  });
});
