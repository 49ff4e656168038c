/**
 * The replay case of the worker bench: `shadowdiff replay` (the compiled binary) of a GoReplay
 * file of ~2 KB JSON answers at `--speed max`, against a local candidate, timed end to end until
 * every exchange is stored, on the bench's Redis and a database of its own.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import pg from 'pg';

export interface ReplayCase {
  requests: number;
  /** Requests sent (and their captures queued) a second by the replay itself. */
  sendRate: number;
  /** Exchanges stored a second, from the first request to the last exchange stored. */
  storedRate: number;
  /**
   * Requests per second of the replay process's own CPU time (its worker and API are processes of
   * their own), from the start of sending until it reports every exchange stored: what it would
   * send with a core to itself. Undefined where /proc cannot be read.
   */
  cpuRate?: number;
}

/** CPU seconds a process has used (user and system), from /proc; undefined off Linux. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // utime and stime, the 14th and 15th fields, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** One round of the replay case, with the worker's own rate measured just before it. */
export interface ReplayRound extends ReplayCase {
  /** The worker alone: ~2 KB captures pre-loaded in the queue, exchanges stored a second. */
  worker: number;
  /** The replay's sending rate ÷ the worker's: at least 1 when the replay is never the bottleneck. */
  sendRatio: number;
  /** Exchanges stored a second end to end ÷ the worker's own rate. */
  storedRatio: number;
}

/** A figure over the rounds: its median, and the lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const SEPARATOR = '\n🐵🙈🙉\n';
const T0 = 1_764_583_200_000_000_000n;

/** An order of about `bytes` of JSON; every tenth differs on the candidate (its total a string). */
function order(id: number, candidate: boolean): string {
  const items = Array.from({ length: 16 }, (_, i) => ({ productId: i + 1, quantity: 1 + (i % 3), unitPrice: 9.5 + i, name: `item number ${i} of order ${id}` }));
  const total = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  return JSON.stringify({ id, status: 'shipped', currency: 'EUR', items, total: candidate && id % 10 === 0 ? total.toFixed(2) : total });
}

function goReplayFile(path: string, requests: number): void {
  const parts: string[] = [];
  for (let i = 0; i < requests; i++) {
    const at = T0 + BigInt(i) * 1000n;
    const body = order(i, false);
    parts.push(`1 r${i} ${at}\nGET /api/orders/${i} HTTP/1.1\r\nHost: orders.local\r\n\r\n${SEPARATOR}`);
    parts.push(`2 r${i} ${at + 500n} 500000\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}${SEPARATOR}`);
  }
  writeFileSync(path, parts.join(''));
}

/** One replay of `requests` exchanges; `concurrency` undefined leaves `--concurrency` to the command's default. */
export async function measureReplay(root: string, dir: string, env: { redisUrl: string; adminUrl: string }, requests: number, concurrency?: number): Promise<ReplayCase> {
  const candidate = createServer((req, res) => res.setHeader('content-type', 'application/json').end(order(Number(req.url!.split('/')[3]), true)));
  await new Promise<void>((r) => candidate.listen(0, '127.0.0.1', r));
  const file = join(dir, 'replay.gor');
  goReplayFile(file, requests);
  const admin = new pg.Client({ connectionString: env.adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS bench_replay');
  await admin.query('CREATE DATABASE bench_replay');
  await admin.end();
  const url = new URL(env.adminUrl);
  url.pathname = '/bench_replay';
  const { port } = candidate.address() as { port: number };
  const args = [resolve(root, 'services/cli/bin/shadowdiff.js'), 'replay', '--from', file, '--candidate', `http://127.0.0.1:${port}`, '--run', 'bench-replay', '--speed', 'max', ...(concurrency ? ['--concurrency', String(concurrency)] : []),
    '--api-port', '0', '--worker-admin-port', '0', '--state-dir', join(dir, 'replay-state')];
  let cpuAtStart: number | undefined;
  let cpuAtEnd: number | undefined;
  try {
    const out = await new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, args, { env: { ...process.env, DATABASE_URL: url.toString(), REDIS_URL: env.redisUrl, SHADOWDIFF_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        const before = stdout;
        stdout += d.toString();
        if (!before.includes('\nReplaying ') && stdout.includes('\nReplaying ')) cpuAtStart = cpuSeconds(child.pid);
        if (!before.includes('\nReplayed ') && stdout.includes('\nReplayed ')) cpuAtEnd = cpuSeconds(child.pid);
      });
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.once('exit', (code) => (code === 0 ? done(stdout) : fail(new Error(`shadowdiff replay exited ${code}\n${stderr}`))));
    });
    const said = /Replayed (\d+) requests .* in ([\d.]+) s .*; (\d+) exchanges compared and stored, the last ([\d.]+) s after the first request/.exec(out);
    if (!said) throw new Error(`shadowdiff replay did not say what it did:\n${out}`);
    const [, sent, sendSeconds, stored, storedSeconds] = said.map(Number) as number[];
    if (stored !== requests) throw new Error(`shadowdiff replay stored ${stored} of ${requests} exchanges`);
    const cpu = cpuAtStart !== undefined && cpuAtEnd !== undefined ? cpuAtEnd - cpuAtStart : undefined;
    return { requests, sendRate: sent! / sendSeconds!, storedRate: stored! / storedSeconds!, ...(cpu ? { cpuRate: sent! / cpu } : {}) };
  } finally {
    candidate.close();
  }
}
