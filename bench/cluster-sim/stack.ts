/**
 * The simulated installation: a 3-master Redis Cluster, embedded Postgres, the loopback upstreams,
 * and two taps, three workers and the API, each the compiled `shadowdiff` binary in a process of
 * its own. Whatever was started is stopped by `stop()`, also when starting fails half-way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@shadowdiff/local-infra';
import { migrate } from '@shadowdiff/store';
import { runCli, startRedisCluster, type CliProcess, type TestRedisCluster } from '@shadowdiff/testkit';
import { SIM_MAX_BODY_BYTES } from './traffic-mix.ts';
import { startCandidate, startPrimary, type SimCandidate, type SimUpstream } from './upstreams.ts';

/** What the simulation is started with. */
export interface StackOptions {
  /** The checkout whose compiled binary runs. */
  root: string;
  /** `redis.queueShards`. */
  shards: number;
  /** `worker.lockDurationMs`: how soon a killed worker's batch is taken over. */
  lockDurationMs: number;
  /** `tap.shadowTimeoutMs`. */
  shadowTimeoutMs: number;
  run: string;
}

/** A shadowdiff process with the addresses it printed. */
export interface Part {
  cli: CliProcess;
  /** The address it serves (taps and the API). */
  url: string;
  /** Its /metrics, /healthz and /readyz (taps and workers). */
  admin: string;
}

/** The running installation. */
export interface Stack {
  cluster: TestRedisCluster;
  pool: pg.Pool;
  candidate: SimCandidate;
  taps: Part[];
  workers: Part[];
  api: Part;
  stop(): Promise<void>;
}

/**
 * Starts everything, or stops what it had started and throws. `onStop` gets the stop function at
 * once, so an interrupted start-up is cleaned up too.
 */
export async function startStack(options: StackOptions, onStop: (stop: () => Promise<void>) => void): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-cluster-sim-'));
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const processes: CliProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    stopped = true;
    // Processes first, while Redis and Postgres are still there for their shutdown.
    await Promise.all(processes.map((cli) => cli.stop(10_000).catch(() => undefined)));
    for (const step of stops.splice(0).reverse()) await step().catch((error: Error) => process.stderr.write(`cleanup: ${error.message}\n`));
  };
  onStop(stop);
  // Nothing more is started once stopping has begun.
  const started = <T>(value: T): T => {
    if (stopped) throw new Error('cluster simulation stopped while starting');
    return value;
  };
  try {
    const postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), removeOnStop: true });
    stops.push(() => postgres.stop());
    const cluster = await startRedisCluster();
    stops.push(() => cluster.stop());
    const pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
    stops.push(() => pool.end());
    await migrate(pool);
    const [primary, candidate]: [SimUpstream, SimCandidate] = await Promise.all([startPrimary(), startCandidate()]);
    stops.push(() => primary.close(), () => candidate.close());

    const config = join(dir, 'shadowdiff.yaml');
    writeFileSync(
      config,
      [
        'redis:',
        '  cluster: true',
        'tap:',
        `  maxBodyBytes: ${SIM_MAX_BODY_BYTES}`,
        `  shadowTimeoutMs: ${options.shadowTimeoutMs}`,
        '  routes:',
        "    exclude: ['GET /healthz']",
        "    allowUnsafe: ['POST /orders']",
        'worker:',
        `  lockDurationMs: ${options.lockDurationMs}`,
        '',
      ].join('\n'),
    );
    const env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: cluster.url,
      SHADOWDIFF_QUEUE_SHARDS: String(options.shards),
      SHADOWDIFF_PRIMARY: primary.url,
      SHADOWDIFF_CANDIDATE: candidate.url,
      SHADOWDIFF_RUN: options.run,
      SHADOWDIFF_TAP_PORT: '0',
      SHADOWDIFF_TAP_ADMIN_PORT: '0',
      SHADOWDIFF_API_PORT: '0',
      SHADOWDIFF_WORKER_ADMIN_PORT: '0',
      SHADOWDIFF_STATE_DIR: dir,
      SHADOWDIFF_LOG_LEVEL: 'error',
    };
    const start = async (args: string[], ready: RegExp, addresses: (match: RegExpMatchArray) => { url: string; admin: string }): Promise<Part> => {
      const cli = runCli([...args, '--config', started(config)], env, { checkout: options.root });
      processes.push(cli);
      return { cli, ...addresses(await cli.waitFor(ready, 60_000)) };
    };
    const workers = await Promise.all(
      [0, 1, 2].map(() => start(['worker'], /worker consuming.*\nhealth and metrics on (\S+) /, (m) => ({ url: '', admin: m[1]! }))),
    );
    const api = await start(['api'], /api listening on (\S+)\n/, (m) => ({ url: m[1]!, admin: m[1]! }));
    // One after the other: the first creates the redaction key both share.
    const taps: Part[] = [];
    for (let i = 0; i < 2; i++) taps.push(await start(['tap'], /tap listening on (\S+)\nmetrics on (\S+)\/metrics/, (m) => ({ url: m[1]!, admin: m[2]! })));
    return { cluster, pool, candidate, taps, workers, api, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
