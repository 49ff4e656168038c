/** Starting and stopping the benchmark's processes, and running its load generators. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  child: ChildProcess;
  /** The first match of the pattern in stdout. */
  match: RegExpMatchArray;
  stop(): Promise<void>;
}

/** Spawns a command and waits for `pattern` on its stdout (or fails after `timeoutMs`). */
export function start(command: string, args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(' ')}: no ${pattern} within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = out.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before ${pattern}\n${out}\n${err}`));
    });
  });
}

/** Runs a command to completion and returns its stdout; throws with stderr on failure. */
export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

/**
 * wrk and nginx, from Debian: installed when missing, as the set-up step installs redis-server
 * (as root with apt-get), or a failure that says how to install them.
 */
export function requireTools(): { wrk: string; nginx: string } {
  const find = (name: string): string | undefined => {
    const r = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' });
    return r.stdout.trim().split('\n')[0] || undefined;
  };
  const missing = ['wrk', 'nginx'].filter((name) => !find(name));
  if (missing.length > 0 && process.getuid?.() === 0 && find('apt-get')) {
    process.stderr.write(`bench: installing ${missing.join(' and ')} (Debian packages)…\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
  }
  const wrk = find('wrk');
  const nginx = find('nginx');
  const still = [!wrk && 'wrk', !nginx && 'nginx'].filter(Boolean);
  if (still.length > 0) {
    throw new Error(`missing ${still.join(' and ')}: install with \`apt-get install -y ${still.join(' ')}\` (Debian/Ubuntu), then run again`);
  }
  return { wrk: wrk!, nginx: nginx! };
}

/** Fills the nginx mirror template (bench/tap/nginx-mirror.conf.template) into `dir` and returns the config file's path. */
export function writeNginxConfig(template: string, dir: string, ports: { listen: number; primary: number; candidate: number }): string {
  mkdirSync(join(dir, 'body'), { recursive: true });
  mkdirSync(join(dir, 'proxy'), { recursive: true });
  const values: Record<string, string> = {
    NGINX_PREFIX: dir,
    LISTEN_PORT: String(ports.listen),
    PRIMARY_PORT: String(ports.primary),
    CANDIDATE_PORT: String(ports.candidate),
  };
  const filled = readFileSync(template, 'utf8').replace(/\$\{(NGINX_PREFIX|LISTEN_PORT|PRIMARY_PORT|CANDIDATE_PORT)\}/g, (_, k: string) => values[k]!);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, filled);
  return file;
}

/** Full-load result of wrk: requests per second and latency percentiles in milliseconds. */
export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

/** Runs wrk with a warm-up, then the measured run, and parses its --latency report. */
export async function wrk(binary: string, url: string, options: { connections: number; seconds: number; warmSeconds: number }): Promise<WrkResult> {
  const args = (s: number) => ['-t1', `-c${options.connections}`, `-d${s}s`, '--latency', url];
  await run(binary, args(options.warmSeconds));
  const out = await run(binary, args(options.seconds));
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((s, v) => s + Number(v), 0) ?? 0);
  return { rps, p50: pct('50'), p99: pct('99'), errors };
}

/** Fixed-rate result: latencies in milliseconds (Infinity when beyond the generator's wait). */
export interface RateResult {
  sent: number;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Runs the open-loop generator (fixed-rate.ts) in its own process. */
export async function fixedRate(url: string, options: { rate: number; seconds: number; warmSeconds: number; connections: number; maxWaitSeconds?: number }): Promise<RateResult> {
  const script = new URL('./fixed-rate.ts', import.meta.url).pathname;
  const args = [url, options.rate, options.seconds, options.warmSeconds, options.connections, options.maxWaitSeconds ?? 15].map(String);
  const out = await run(process.execPath, ['--import', '@shadowdiff/core/source-mode', script, ...args]);
  const parsed = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | null>;
  const result: Record<string, number> = {};
  for (const [k, v] of Object.entries(parsed)) result[k] = v === null ? Infinity : v;
  return result as unknown as RateResult;
}

/** The median of each field over several results of the same shape. */
export function median<T extends object>(results: T[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(results[0]!)) {
    const values = results.map((r) => (r as Record<string, number>)[key]!).sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    out[key] = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  }
  return out as T;
}
