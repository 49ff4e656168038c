import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiAddress,
  createTestDatabase,
  eventually,
  loopbackServiceEnv,
  metricSum as metric,
  runCli,
  startRedisCluster,
  startUpstream,
  stopStarted,
  tapAddresses,
  workerAdmin,
  type CliProcess,
  type TestDatabase,
  type TestRedisCluster,
  type TestUpstream,
} from '@shadowdiff/testkit';

/**
 * The tap, a worker and the API as separate processes on a real 3-master Redis Cluster, the
 * captures spread over four queue shards, and one master killed and restarted while traffic flows.
 */
describe('shadowdiff tap, worker and api on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let db: TestDatabase;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  const processes: CliProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-cluster-e2e-'));
  let tap: { url: string; admin: string };
  let apiUrl: string;
  let start: (args: string[]) => CliProcess;

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startRedisCluster(), createTestDatabase(inject('pgAdminUrl'), { migrate: false })]);
    primary = await startUpstream((req, res) => void res.end(JSON.stringify({ path: req.url, v: 1 })));
    candidate = await startUpstream((req, res) => void res.end(JSON.stringify({ path: req.url, v: 2 })));
    const config = join(dir, 'shadowdiff.yaml');
    writeFileSync(config, 'redis:\n  cluster: true\ntap:\n  batchSize: 10\n');
    const env = loopbackServiceEnv({ databaseUrl: db.url, redisUrl: cluster.url, queueShards: 4, primary: primary.url, candidate: candidate.url, run: 'on-cluster', stateDir: dir });
    start = (args: string[]): CliProcess => {
      const cli = runCli([...args, '--config', config], env);
      processes.push(cli);
      return cli;
    };
    await workerAdmin(start(['worker']));
    apiUrl = await apiAddress(start(['api']));
    tap = await tapAddresses(start(['tap']));
  });

  afterAll(async () => {
    await stopStarted({ processes, upstreams: [primary, candidate], services: [cluster], db, dirs: [dir] });
  });

  it('stores every capture the tap queued exactly once, counts the rest dropped, with a master restarted mid-run', async () => {
    let sent = 0;
    let sending = true;
    const clients = Array.from({ length: 8 }, async () => {
      while (sending) {
        const res = await fetch(`${tap.url}/items/${sent++}`);
        // Clients are served by the primary whatever happens to Redis.
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    const atKill = sent;
    await cluster.restartMaster(0, 1500);
    // Clients kept being served while the master was away.
    expect(sent - atKill).toBeGreaterThan(20);
    await new Promise((r) => setTimeout(r, 1500));
    sending = false;
    await Promise.all(clients);

    const mirrored = () => metric(tap.admin, 'shadowdiff_tap_mirrored_total');
    const queued = () => metric(tap.admin, 'shadowdiff_tap_captures_queued_total');
    const dropped = () => metric(tap.admin, 'shadowdiff_tap_dropped_total');
    // Every copy accounted for: queued or counted dropped.
    await eventually(async () => (await queued()) + (await dropped()) === (await mirrored()), 20_000, 200);
    expect(await mirrored()).toBe(sent);
    // What Redis surely refused is counted dropped; a batch whose command went unanswered was sent again.
    expect(await dropped()).toBe(await metric(tap.admin, 'shadowdiff_tap_dropped_total', 'redis_unavailable'));
    const stored = async (): Promise<{ rows: number; distinct: number }> => {
      const { rows } = await db.pool.query<{ rows: string; distinct: string }>('SELECT count(*) AS rows, count(DISTINCT id) AS distinct FROM exchanges');
      return { rows: Number(rows[0]!.rows), distinct: Number(rows[0]!.distinct) };
    };
    const expected = await queued();
    expect(expected).toBeGreaterThan(sent / 2);
    await eventually(async () => (await stored()).rows >= expected, 60_000, 250);
    expect(await stored()).toEqual({ rows: expected, distinct: expected });
    if (process.env.SHADOWDIFF_TEST_FIGURES) process.stderr.write(`sent ${sent}, queued ${expected}, dropped ${await dropped()}\n`);

    // The API reads the backlog of every shard: nothing waits, and a worker consumes.
    const ready = await eventually(async () => {
      const res = await fetch(`${apiUrl}/readyz`);
      return res.status === 200 ? ((await res.json()) as { checks: Record<string, boolean>; backlog: { waitingCaptures: number } }) : undefined;
    }, 20_000);
    expect(ready?.checks).toEqual({ postgres: true, redis: true, consuming: true });
    expect(ready?.backlog.waitingCaptures).toBe(0);
  });

  it('pairs the halves of two recorder processes through the cluster, and the worker stores each exchange once', async () => {
    const recorder = (upstream: string, side: string): Promise<{ url: string; admin: string }> =>
      tapAddresses(start(['tap', '--mode', 'recorder', '--run', 'mesh-on-cluster', '--join-window-ms', '1000', '--upstream', upstream, '--side', side]));
    const [onPrimary, onCandidate] = await Promise.all([recorder(primary.url, 'primary'), recorder(candidate.url, 'candidate')]);
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const headers = { 'x-request-id': `mesh-${i}` };
        const [p, c] = await Promise.all([fetch(`${onPrimary.url}/orders/${i}`, { headers }), fetch(`${onCandidate.url}/orders/${i}`, { headers })]);
        expect([p.status, c.status]).toEqual([200, 200]);
        await Promise.all([p.arrayBuffer(), c.arrayBuffer()]);
      }),
    );
    await (await fetch(`${onPrimary.url}/orders/lonely`, { headers: { 'x-request-id': 'orphan-1' } })).arrayBuffer();

    const admins = [onPrimary.admin, onCandidate.admin];
    const sum = (name: string, label?: string): Promise<number> => metric(admins, name, label);
    expect(await eventually(async () => ((await sum('shadowdiff_tap_halves_paired_total')) === 40 ? 40 : undefined), 10_000)).toBe(40);
    const stored = async (): Promise<number> => Number((await db.pool.query("SELECT count(DISTINCT e.id) AS n FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'mesh-on-cluster'")).rows[0].n);
    expect(await eventually(async () => ((await stored()) === 40 ? 40 : undefined), 30_000)).toBe(40);
    expect(await eventually(async () => (await sum('shadowdiff_tap_unmatched_halves_total', 'side="primary"')) || undefined, 10_000)).toBe(1);
    expect(await sum('shadowdiff_tap_unmatched_halves_total', 'side="candidate"')).toBe(0);
  });
});
