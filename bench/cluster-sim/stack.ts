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
import { apiAddress, loopbackServiceEnv, runCli, startRedisCluster, tapAddresses, workerAdmin, type CliProcess, type TestRedisCluster } from '@shadowdiff/testkit';
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
    const env = loopbackServiceEnv({
      databaseUrl: postgres.url,
      redisUrl: cluster.url,
      queueShards: options.shards,
      primary: primary.url,
      candidate: candidate.url,
      run: options.run,
      stateDir: dir,
      logLevel: 'error',
    });
    const start = async (args: string[], addresses: (cli: CliProcess) => Promise<{ url: string; admin: string }>): Promise<Part> => {
      const cli = runCli([...args, '--config', started(config)], env, { checkout: options.root });
      processes.push(cli);
      return { cli, ...(await addresses(cli)) };
    };
    const workers = await Promise.all([0, 1, 2].map(() => start(['worker'], async (cli) => ({ url: '', admin: await workerAdmin(cli) }))));
    const api = await start(['api'], async (cli) => {
      const url = await apiAddress(cli);
      return { url, admin: url };
    });
    // One after the other: the first creates the redaction key both share.
    const taps: Part[] = [];
    for (let i = 0; i < 2; i++) taps.push(await start(['tap'], (cli) => tapAddresses(cli)));
    return { cluster, pool, candidate, taps, workers, api, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
