import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '@shadowdiff/local-infra';

/** A real Redis Cluster of three masters (no replicas) on loopback, with a password. */
export interface TestRedisCluster {
  /** The seed nodes' URLs, comma-separated, as `redis.url` takes them with `redis.cluster`. */
  url: string;
  ports: number[];
  password: string;
  /** Kills master `index` (SIGKILL), waits `downMs`, starts it again on its port with its nodes.conf and AOF, and waits until the cluster is ok. */
  restartMaster(index: number, downMs?: number): Promise<void>;
  /** The master serving `key`'s slot (index into `ports`). */
  masterOf(key: string): number;
  stop(): Promise<void>;
}

const free = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port free for a cluster node: its cluster bus (port + 10000) must be free too. */
async function clusterPort(taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await findFreePort();
    if (port + 10000 <= 65535 && !taken.includes(port) && (await free(port + 10000))) return port;
  }
  throw new Error('no free port pair for a redis cluster node');
}

function cli(port: number, password: string, args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: password }, timeout: 20_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The hash slot of a key, as Redis Cluster computes it (CRC16 of the hash tag or the key, mod 16384). */
export function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const tagged = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/**
 * Starts three redis-server masters with cluster mode on, on free loopback ports, joins them with
 * `redis-cli --cluster create` and waits for `cluster_state:ok`. Each node keeps its nodes.conf
 * and AOF (fsync on every write, so a killed master loses nothing it acknowledged) in a folder
 * of its own under a temporary one, removed by `stop()`.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-cluster-'));
  const password = randomBytes(12).toString('hex');
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) ports.push(await clusterPort(ports));
  const children: (ChildProcess | undefined)[] = [];
  const killAll = (): void => children.forEach((child) => child?.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  process.once('exit', killAll);

  const startNode = async (i: number): Promise<void> => {
    const nodeDir = join(dir, `node-${i}`);
    mkdirSync(nodeDir, { recursive: true });
    const configFile = join(nodeDir, 'redis.conf');
    writeFileSync(configFile, `requirepass ${password}\nmasterauth ${password}\n`, { mode: 0o600 });
    const port = ports[i]!;
    const args = [configFile, '--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--logfile', join(nodeDir, 'redis.log'), '--maxmemory-policy', 'noeviction');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    children[i] = child;
    child.once('error', () => undefined);
    await waitFor(`node ${port} answers`, () => cli(port, password, ['PING']).includes('PONG'), 10_000);
  };
  const clusterOk = (): boolean => ports.every((port, i) => children[i] && cli(port, password, ['CLUSTER', 'INFO']).includes('cluster_state:ok'));

  try {
    for (let i = 0; i < 3; i++) await startNode(i);
    const created = cli(ports[0]!, password, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    if (!created.includes('All 16384 slots covered')) throw new Error(`redis cluster create failed: ${created}`);
    await waitFor('cluster_state:ok', clusterOk, 20_000);
  } catch (error) {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  // Slot ranges per master, read once: no replicas and no resharding, so they never move.
  const ranges: { from: number; to: number; node: number }[] = [];
  for (const [i, port] of ports.entries()) {
    const myself = cli(port, password, ['CLUSTER', 'NODES'])
      .split('\n')
      .find((line) => line.includes('myself'));
    for (const range of myself?.split(' ').slice(8) ?? []) {
      const [from, to] = range.split('-').map(Number);
      if (Number.isInteger(from)) ranges.push({ from: from!, to: to ?? from!, node: i });
    }
  }

  return {
    url: ports.map((port) => `redis://:${password}@127.0.0.1:${port}`).join(','),
    ports,
    password,
    masterOf(key) {
      const slot = clusterSlot(key);
      return ranges.find((range) => slot >= range.from && slot <= range.to)!.node;
    },
    async restartMaster(index, downMs = 1000) {
      const child = children[index]!;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
      children[index] = undefined;
      await sleep(downMs);
      await startNode(index);
      await waitFor('cluster_state:ok after the restart', clusterOk, 30_000);
    },
    async stop() {
      await Promise.all(
        children.map((child) => {
          if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          return gone;
        }),
      );
      process.off('exit', killAll);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
