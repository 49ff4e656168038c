/**
 * The real pipeline for the judgement benchmark, each part in a process of its own: a local
 * redis-server and embedded Postgres, `shadowdiff worker` and `shadowdiff api`, the three sides
 * of the corpus, and one `shadowdiff tap` per configuration (each its own run).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres, startLocalRedis, type LocalPostgres, type LocalRedis } from '@shadowdiff/local-infra';
import { runCli, type CliProcess } from '@shadowdiff/testkit';
import type { Role } from './scenarios.ts';

/** A side's own p50 and p99 of one scenario, as the service measured them. */
export interface ServiceTimes {
  count: number;
  p50: number | null;
  p99: number | null;
}

export interface Sides {
  urls: Record<Role, string>;
  /** Forgets the service times measured so far, on every side. */
  resetTimes(): Promise<void>;
  times(role: Role, scenario: string): Promise<ServiceTimes>;
  stop(): Promise<void>;
}

/** The three sides of the corpus, each a process. */
export async function startSides(): Promise<Sides> {
  const roles: Role[] = ['primary', 'candidate', 'secondary'];
  const children = roles.map((role) => spawn(process.execPath, ['--import', '@shadowdiff/core/source-mode', join(import.meta.dirname, 'scenario-server.ts'), role], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const urls = await Promise.all(
    children.map(
      (child, i) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = new RegExp(`^${roles[i]} (\\S+)`, 'm').exec(out);
            if (match) resolve(match[1]!);
          });
          child.once('exit', (code) => reject(new Error(`the ${roles[i]} scenario server exited (${code})`)));
        }),
    ),
  );
  const byRole = { primary: urls[0]!, candidate: urls[1]!, secondary: urls[2]! };
  return {
    urls: byRole,
    resetTimes: async () => void (await Promise.all(urls.map((url) => fetch(`${url}/_times`, { method: 'DELETE' })))),
    times: async (role, scenario) => (await (await fetch(`${byRole[role]}/_times/${scenario}`)).json()) as ServiceTimes,
    stop: async () => {
      await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : (child.once('exit', r), child.kill('SIGTERM'))))));
    },
  };
}

export interface Pipeline {
  apiUrl: string;
  /** Starts a tap for one configuration (its own run), in front of the sides. */
  startTap(run: string, args: string[]): Promise<{ url: string; metricsUrl: string; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Redis, Postgres, one worker and the API, ready. */
export async function startPipeline(dir: string, sides: Sides): Promise<Pipeline> {
  const redis: LocalRedis = await startLocalRedis({ dir: join(dir, 'redis') });
  const postgres: LocalPostgres = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), removeOnStop: true });
  const env = { REDIS_URL: redis.url, DATABASE_URL: postgres.url, SHADOWDIFF_LOG_LEVEL: 'warn' };
  const processes: CliProcess[] = [];
  const cli = (name: string, args: string[]): CliProcess => {
    const stateDir = join(dir, name);
    mkdirSync(stateDir, { recursive: true });
    const child = runCli([...args, '--state-dir', stateDir], env);
    processes.push(child);
    return child;
  };
  const stop = async (): Promise<void> => {
    for (const child of processes.reverse()) await child.stop();
    await postgres.stop();
    await redis.stop();
  };
  try {
    await cli('worker', ['worker', '--concurrency', '8']).waitFor(/worker consuming/);
    const api = cli('api', ['api', '--api-port', '0']);
    const apiUrl = (await api.waitFor(/api listening on (\S+)/))[1]!;
    return {
      apiUrl,
      async startTap(run, args) {
        const upstreams = ['--primary', sides.urls.primary, '--candidate', sides.urls.candidate];
        const tap = cli(`tap-${run}`, ['tap', '--run', run, '--tap-port', '0', '--admin-port', '0', ...upstreams, ...args]);
        const url = (await tap.waitFor(/tap listening on (\S+)/))[1]!;
        const metricsUrl = (await tap.waitFor(/metrics on (\S+)/))[1]!;
        return { url, metricsUrl, stop: async () => void (await tap.stop()) };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

