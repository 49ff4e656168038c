/**
 * What the tap benchmark measures, started for real on this machine: the upstreams (the primary in
 * a process of its own, the candidates in another, as on their own hosts), a local redis-server,
 * the shadowdiff tap (the real `shadowdiff tap` command), nginx's mirror module and a plain Node proxy.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort, startLocalRedis } from '@shadowdiff/local-infra';
import { run, start, writeNginxConfig, type Started } from './processes.ts';

/** A running target: where to send requests, and its admin (metrics) URL when it has one. */
export interface Opened {
  url: string;
  admin?: string;
  /** The process serving `url`, when it is one of ours. */
  pid?: number;
  stop: () => Promise<void>;
}

export interface Peers {
  ports: { primary: number; candidate: number; slow: number };
  /** The processes behind the candidates (fast and slow alike) and behind Redis. */
  pids: { candidate: number; redis: number };
  origin(port: number): string;
  redisUrl: string;
  /**
   * The real `shadowdiff tap` command, mirroring `percentage`% to the candidate on `candidatePort`:
   * the compiled binary unless `binary` names another (`nodeArgs` for Node itself).
   */
  startTap(percentage: number, candidatePort: number, options?: { nodeArgs?: string[]; binary?: string; args?: string[] }): Promise<Opened>;
  startNginx(candidatePort: number): Promise<Opened>;
  startPlainProxy(): Promise<Opened>;
  /** Empties Redis, as workers would drain the queue. */
  emptyRedis(): Promise<void>;
  /** What became of the tap's requests and captures so far, from its metrics. */
  captureCounts(admin: string): Promise<CaptureCounts>;
  stop(): Promise<void>;
}

/** The `shadowdiff` binaries, relative to the checkout: compiled (what users run), and from the sources. */
export const COMPILED_BINARY = 'services/cli/bin/shadowdiff.js';
export const SOURCE_BINARY = 'services/cli/bin/shadowdiff-dev.js';

const origin = (port: number): string => `http://127.0.0.1:${port}`;

/** A tap's counters: requests answered, copies mirrored, captures queued, and dropped by reason. */
export interface CaptureCounts {
  requests: number;
  mirrored: number;
  queued: number;
  dropped: Record<string, number>;
}

/** What happened between two readings of a tap's counters. */
export function countsBetween(before: CaptureCounts, after: CaptureCounts): CaptureCounts {
  const dropped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(after.dropped)) if (n - (before.dropped[reason] ?? 0) > 0) dropped[reason] = n - (before.dropped[reason] ?? 0);
  return { requests: after.requests - before.requests, mirrored: after.mirrored - before.mirrored, queued: after.queued - before.queued, dropped };
}

/** Two spans of counts added up. */
export function addCounts(a: CaptureCounts, b: CaptureCounts): CaptureCounts {
  const dropped = { ...a.dropped };
  for (const [reason, n] of Object.entries(b.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
  return { requests: a.requests + b.requests, mirrored: a.mirrored + b.mirrored, queued: a.queued + b.queued, dropped };
}

export const NO_COUNTS: CaptureCounts = { requests: 0, mirrored: 0, queued: 0, dropped: {} };

export async function startPeers(root: string, work: string, nginx: { binary: string; template: string }): Promise<Peers> {
  const fromSource = (script: string, args: string[], pattern: RegExp): Promise<Started> =>
    start(process.execPath, ['--import', '@shadowdiff/core/source-mode', join(root, 'bench/tap', script), ...args], pattern);
  const redisDir = join(work, 'redis');
  const redis = await startLocalRedis({ dir: redisDir });
  const primaryUpstream = await fromSource('upstreams.ts', ['primary'], /^(\{.*\})$/m);
  const candidateUpstreams = await fromSource('upstreams.ts', ['candidate', 'slow'], /^(\{.*\})$/m);
  const ports = {
    ...(JSON.parse(primaryUpstream.match[1]!) as { primary: number }),
    ...(JSON.parse(candidateUpstreams.match[1]!) as { candidate: number; slow: number }),
  };
  let taps = 0;

  return {
    ports,
    pids: { candidate: candidateUpstreams.child.pid!, redis: Number(readFileSync(join(redisDir, 'redis.pid'), 'utf8').trim()) },
    origin,
    redisUrl: redis.url,
    async startTap(percentage, candidatePort, { nodeArgs = [], binary = COMPILED_BINARY, args = [] } = {}) {
      const port = await findFreePort();
      // Each tap its own state folder: two run side by side in the slow-candidate rounds.
      const stateDir = join(work, `state-${++taps}`);
      const cli = await start(
        process.execPath,
        [...nodeArgs, resolve(root, binary), 'tap', '--primary', origin(ports.primary), '--candidate', origin(candidatePort),
          '--mirror-percentage', String(percentage), '--tap-port', String(port), '--admin-port', '0', '--run', 'bench',
          '--state-dir', stateDir, '--log-level', 'warn', ...args],
        /metrics on (http:\/\/\S+)\/metrics/,
        { REDIS_URL: redis.url },
      );
      return { url: origin(port), admin: cli.match[1]!, pid: cli.child.pid!, stop: cli.stop };
    },
    async startNginx(candidatePort) {
      const port = await findFreePort();
      const prefix = join(work, `nginx-${candidatePort}`);
      const config = writeNginxConfig(nginx.template, prefix, { listen: port, primary: ports.primary, candidate: candidatePort });
      const child = start(nginx.binary, ['-e', join(prefix, 'error.log'), '-p', prefix, '-c', config], /never printed/, {}, 3_600_000);
      child.catch(() => undefined);
      await waitForHttp(port);
      return {
        url: origin(port),
        // The master, whose worker does the proxying and mirroring.
        pid: Number(readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim()),
        stop: async () => {
          await run(nginx.binary, ['-e', join(prefix, 'error.log'), '-p', prefix, '-c', config, '-s', 'quit']).catch(() => undefined);
          await child.then((c) => c.stop(), () => undefined);
        },
      };
    },
    async startPlainProxy() {
      const proxy = await fromSource('plain-proxy.ts', [origin(ports.primary)], /listening (\d+)/);
      return { url: origin(Number(proxy.match[1])), pid: proxy.child.pid!, stop: proxy.stop };
    },
    async emptyRedis() {
      const client = new Redis(redis.url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    async captureCounts(admin) {
      const text = await (await fetch(`${admin}/metrics`)).text();
      const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
      const dropped: Record<string, number> = {};
      for (const m of text.matchAll(/^shadowdiff_tap_dropped_total\{reason="([^"]+)"\} (\d+)/gm)) dropped[m[1]!] = Number(m[2]);
      return {
        requests: value(/^shadowdiff_tap_requests_total\{outcome="ok"\} (\d+)/m),
        mirrored: value(/^shadowdiff_tap_mirrored_total (\d+)/m),
        queued: value(/^shadowdiff_tap_captures_queued_total (\d+)/m),
        dropped,
      };
    },
    async stop() {
      await primaryUpstream.stop();
      await candidateUpstreams.stop();
      await redis.stop();
    },
  };
}

/** nginx prints nothing when ready: wait until its port answers HTTP. */
async function waitForHttp(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`${origin(port)}/`).then((r) => r.arrayBuffer().then(() => true), () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${port}; see its error.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
