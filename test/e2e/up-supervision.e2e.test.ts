import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, processStat } from '@shadowdiff/local-infra';
import {
  childrenOf,
  createTestDatabase,
  eventually,
  freshQueuePrefix,
  startUp,
  startUpstream,
  stopStarted,
  watchProcessTree,
  type RunningStack,
  type TestDatabase,
  type TestUpstream,
} from '@shadowdiff/testkit';

/** The pid of `up`'s child running this command (`worker`, `tap`, `api`). */
const childPid = (up: RunningStack, command: string): number | undefined =>
  childrenOf(up.cli.child.pid!).find((c) => new RegExp(`shadowdiff(-dev)?\\.js ${command}$`).test(c.command))?.pid;

/** A counter or gauge from a Prometheus text page. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const printed = (up: RunningStack, what: RegExp): string => up.cli.stdout().match(what)![1]!;

/** A server holding `port`, tried again for a moment while the process that held it goes away. */
async function listenOn(port: number): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const server = createServer();
    const error = await new Promise<Error | undefined>((r) => server.once('error', r).listen(port, '127.0.0.1', () => r(undefined)));
    if (!error) return server;
    if (attempt > 20) throw error;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Seconds until `url` answers 200 again, polled every 50 ms, at most `limitMs`. */
async function secondsUntilAnswering(url: string, limitMs = 30_000): Promise<number> {
  const start = Date.now();
  await eventually(async () => (await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status === 200, limitMs, 50);
  return (Date.now() - start) / 1000;
}

/**
 * `shadowdiff up` keeps its parts alive: a child that dies is logged, counted and restarted on
 * the same ports; one that keeps crashing stops `up`, with a message that names it.
 */
describe('shadowdiff up supervises its parts', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let db: TestDatabase;
  let up: RunningStack;
  const stateDir = mkdtempSync(join(tmpdir(), 'shadowdiff-supervise-'));
  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    SHADOWDIFF_REDIS_PREFIX: freshQueuePrefix(),
    // A killed worker's batches are taken over after 2 s instead of 30.
    SHADOWDIFF_WORKER_LOCK_DURATION_MS: '2000',
    SHADOWDIFF_LOG_LEVEL: 'warn',
  });
  const ports = ['--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--worker-admin-port', '0'];

  beforeAll(async () => {
    primary = await startUpstream((req, res) => void res.end(JSON.stringify({ path: req.url, v: 1 })));
    candidate = await startUpstream((req, res) => void res.end(JSON.stringify({ path: req.url, v: 2 })));
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    up = await startUp(['--primary', primary.url, '--candidate', candidate.url, '--run', 'kept-alive', '--state-dir', stateDir, ...ports], env(), 120_000);
  });

  afterAll(async () => {
    const codes = await stopStarted({ processes: [up?.cli], upstreams: [primary, candidate], db, dirs: [stateDir] });
    expect(codes).toEqual([0]);
  });

  it('restarts a worker killed under traffic, logs and counts it, and stores every capture exactly once', async () => {
    const tapMetrics = printed(up, /(http:\/\/\S+\/metrics) \(tap\)/);
    const restarts = printed(up, /(http:\/\/\S+\/metrics) \(restarts\)/);
    const workerAdmin = printed(up, /(http:\/\/\S+)\/readyz \(worker\)/);
    const killed = childPid(up, 'worker')!;
    let sending = true;
    let sent = 0;
    const traffic = Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = 0; sending; i++) {
          const res = await fetch(`${up.tapUrl}/items/${lane}-${i}`);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          sent++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    await eventually(() => sent >= 200, 30_000);
    process.kill(killed, 'SIGKILL');
    // Traffic goes on while the worker is down and while it comes back.
    const restarted = await eventually(() => {
      const pid = childPid(up, 'worker');
      return pid !== undefined && pid !== killed ? pid : undefined;
    }, 30_000);
    expect(restarted).toBeDefined();
    await eventually(async () => (await fetch(`${workerAdmin}/readyz`).catch(() => undefined))?.status === 200, 30_000);
    const atRestart = sent;
    await eventually(() => sent >= atRestart + 200, 30_000);
    sending = false;
    await traffic;

    const queued = await eventually(async () => {
      const flushed = await metric(tapMetrics, 'shadowdiff_tap_captures_queued_total');
      return flushed === (await metric(tapMetrics, 'shadowdiff_tap_mirrored_total')) ? flushed : undefined;
    }, 15_000);
    expect(queued).toBe(sent);
    const counts = async () =>
      (
        await db.pool.query(`SELECT (SELECT count(*) FROM exchanges)::int AS stored, (SELECT count(DISTINCT id) FROM exchanges)::int AS distinct_ids,
                                    (SELECT coalesce(sum(exchanges), 0) FROM route_stats)::int AS counted`)
      ).rows[0] as { stored: number; distinct_ids: number; counted: number };
    await eventually(async () => (await counts()).stored >= sent, 60_000, 200);
    // Nothing lost, nothing twice: in the exchanges and in the counters the figures are read from.
    expect(await counts()).toEqual({ stored: sent, distinct_ids: sent, counted: sent });
    expect(await metric(restarts, 'shadowdiff_up_child_exits_total{child="worker"}')).toBe(1);
    const logged = up.cli
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; child?: string; signal?: string; msg: string });
    expect(logged).toContainEqual(expect.objectContaining({ level: 50, child: 'worker', signal: 'SIGKILL', msg: 'worker exited (signal SIGKILL): restarting' }));
  });

  it('restarts the tap and the API on their ports: clients and readers are answered again within seconds', async () => {
    const restarts = printed(up, /(http:\/\/\S+\/metrics) \(restarts\)/);
    const tap = childPid(up, 'tap')!;
    const api = childPid(up, 'api')!;
    process.kill(tap, 'SIGKILL');
    process.kill(api, 'SIGKILL');
    const [tapBack, apiBack] = await Promise.all([secondsUntilAnswering(`${up.tapUrl}/after-restart`), secondsUntilAnswering(`${up.apiUrl}/api/v1/runs`)]);
    // A restart waits half a second, then starts a process: a few seconds, more than ten on a
    // two-core machine busy with other work. On any other port they would never answer again.
    expect(tapBack).toBeLessThan(30);
    expect(apiBack).toBeLessThan(30);
    expect(childPid(up, 'tap')).not.toBe(tap);
    expect(childPid(up, 'api')).not.toBe(api);
    expect(await metric(restarts, 'shadowdiff_up_child_exits_total{child="tap"}')).toBe(1);
    expect(await metric(restarts, 'shadowdiff_up_child_exits_total{child="api"}')).toBe(1);
    // The client got the primary's answer through the restarted tap.
    expect(await (await fetch(`${up.tapUrl}/after-restart`)).json()).toEqual({ path: '/after-restart', v: 1 });
  });

  it('stops, naming the worker, when it crashes at every start, and leaves nothing running', async () => {
    const workerAdminPort = await findFreePort();
    const crashing = await startUp(
      ['--primary', primary.url, '--candidate', candidate.url, '--run', 'crash-loop', '--state-dir', mkdtempSync(join(tmpdir(), 'shadowdiff-crashloop-')), ...ports.slice(0, -2), '--worker-admin-port', String(workerAdminPort)],
      env(),
      120_000,
    );
    const tree = watchProcessTree(crashing.cli.child.pid!, 50);
    let taken: Server | undefined;
    try {
      // Once the worker is gone, another process holds its admin port: every restart fails at start.
      const worker = childPid(crashing, 'worker')!;
      process.kill(worker, 'SIGKILL');
      await eventually(() => processStat(worker) === undefined || processStat(worker)?.state === 'Z', 5000, 5);
      taken = await listenOn(workerAdminPort);
      const timer = setTimeout(() => void crashing.cli.stop(), 90_000);
      const code = await crashing.cli.exited();
      clearTimeout(timer);
      expect(code).toBe(1);
      const errors = crashing.cli.stderr().split('\n').filter((line) => line.startsWith('shadowdiff:'));
      expect(errors).toEqual([
        `shadowdiff: the worker exited 5 times within 60 s, so everything was stopped. Its last exit (exit code 1): the worker's admin server cannot listen on 127.0.0.1:${workerAdminPort}: the port is in use by another process. Stop it, or choose another port with --worker-admin-port N (or SHADOWDIFF_WORKER_ADMIN_PORT).`,
      ]);
      await new Promise((r) => setTimeout(r, 500));
      expect(tree.seen().length).toBeGreaterThanOrEqual(7);
      expect(tree.stillRunning()).toEqual([]);
    } finally {
      tree.stop();
      await crashing.cli.stop(2000);
      await new Promise((r) => (taken ? taken.close(r) : r(undefined)));
    }
  });
});
