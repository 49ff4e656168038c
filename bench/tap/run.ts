/**
 * The tap against its peers, in one run on the same upstreams and load generators: direct to the
 * primary, a plain Node proxy, nginx's mirror module (bench/tap/nginx-mirror.conf.template),
 * and the shadowdiff tap at 0% and 100% mirroring (the real `shadowdiff tap` binary with a local
 * redis-server). Then a slow candidate (500 ms) behind the tap and behind nginx.
 *
 *   npm run bench:tap [-- --rate 1000 --seconds 5 --full-seconds 5 --connections 64 --rounds 5]
 *
 * Writes bench/results/tap.json and the `## Tap` section of bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { findFreePort, startLocalRedis } from '@shadowdiff/local-infra';
import { fixedRate, median, requireTools, run, start, wrk, writeNginxConfig, type RateResult, type Started, type WrkResult } from './processes';
import { renderTapSection, type BenchReport, type TargetResult } from './report';
import { writeSection } from '../readme-sections';
import { syncReadmePerformance } from '../performance';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    warm: { type: 'string', default: '1' },
    'full-seconds': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    'rate-connections': { type: 'string', default: '32' },
    template: { type: 'string', default: resolve(root, 'bench/tap/nginx-mirror.conf.template') },
  },
});
const settings = {
  rate: Number(values.rate),
  seconds: Number(values.seconds),
  warm: Number(values.warm),
  fullSeconds: Number(values['full-seconds']),
  wrkConnections: Number(values.connections),
  rateConnections: Number(values['rate-connections']),
  rounds: Number(values.rounds),
};

const tools = requireTools();
const work = mkdtempSync(join(tmpdir(), 'sd-bench-tap-'));
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const tsx = (script: string, args: string[], pattern: RegExp): Promise<Started> =>
  start(process.execPath, ['--import', 'tsx', join(root, 'bench/tap', script), ...args], pattern);

const redis = await startLocalRedis({ dir: join(work, 'redis') });
// The primary in a process of its own, the candidates in another, as they would run on their own hosts.
const primaryUpstream = await tsx('upstreams.ts', ['primary'], /^(\{.*\})$/m);
const candidateUpstreams = await tsx('upstreams.ts', ['candidate', 'slow'], /^(\{.*\})$/m);
const ports = {
  ...(JSON.parse(primaryUpstream.match[1]!) as { primary: number }),
  ...(JSON.parse(candidateUpstreams.match[1]!) as { candidate: number; slow: number }),
};
const origin = (port: number): string => `http://127.0.0.1:${port}`;

async function startTap(percentage: number, candidatePort: number): Promise<{ url: string; admin: string; stop: () => Promise<void> }> {
  const port = await findFreePort();
  const cli = await start(
    process.execPath,
    [join(root, 'services/cli/bin/shadowdiff.js'), 'tap', '--primary', origin(ports.primary), '--candidate', origin(candidatePort),
      '--mirror-percentage', String(percentage), '--tap-port', String(port), '--admin-port', '0', '--run', 'bench',
      '--state-dir', join(work, 'state'), '--log-level', 'warn'],
    /metrics on (http:\/\/\S+)\/metrics/,
    { REDIS_URL: redis.url },
  );
  return { url: origin(port), admin: cli.match[1]!, stop: cli.stop };
}

async function startNginx(candidatePort: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await findFreePort();
  const prefix = join(work, `nginx-${candidatePort}`);
  const config = writeNginxConfig(values.template!, prefix, { listen: port, primary: ports.primary, candidate: candidatePort });
  const child = start(tools.nginx, ['-e', join(prefix, 'error.log'), '-p', prefix, '-c', config], /never printed/, {}, 600_000);
  child.catch(() => undefined);
  await waitForHttp(port);
  return {
    url: origin(port),
    stop: async () => {
      await run(tools.nginx, ['-e', join(prefix, 'error.log'), '-p', prefix, '-c', config, '-s', 'quit']).catch(() => undefined);
      await child.then((c) => c.stop(), () => undefined);
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

async function emptyRedis(): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

async function captureCounts(admin: string): Promise<NonNullable<TargetResult['captures']>> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  const dropped: Record<string, number> = {};
  for (const m of text.matchAll(/^shadowdiff_tap_dropped_total\{reason="([^"]+)"\} (\d+)/gm)) dropped[m[1]!] = Number(m[2]);
  return { mirrored: value(/^shadowdiff_tap_mirrored_total (\d+)/m), queued: value(/^shadowdiff_tap_captures_queued_total (\d+)/m), dropped };
}

const rateOptions = { rate: settings.rate, seconds: settings.seconds, warmSeconds: settings.warm, connections: settings.rateConnections };
const fullOptions = { connections: settings.wrkConnections, seconds: settings.fullSeconds, warmSeconds: 2 };

type Target = { name: string; open: () => Promise<{ url: string; admin?: string; stop: () => Promise<void> }> };
const targets: Target[] = [
  { name: 'direct', open: async () => ({ url: origin(ports.primary), stop: async () => undefined }) },
  {
    name: 'plain Node proxy (undici, no mirroring)',
    open: async () => {
      const proxy = await tsx('plain-proxy.ts', [origin(ports.primary)], /listening (\d+)/);
      return { url: origin(Number(proxy.match[1])), stop: proxy.stop };
    },
  },
  { name: 'nginx mirror (100%)', open: () => startNginx(ports.candidate) },
  { name: 'shadowdiff tap, 0% mirrored', open: () => startTap(0, ports.candidate) },
  { name: 'shadowdiff tap, 100% mirrored', open: () => startTap(100, ports.candidate) },
];

const rounds = settings.rounds;
const opened: { name: string; url: string; admin?: string; stop: () => Promise<void> }[] = [];
const results: TargetResult[] = [];
const slow: BenchReport['slow'] = [];
try {
  log(`shadowdiff tap benchmark (${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  for (const target of targets) {
    const t = { name: target.name, ...(await target.open()) };
    opened.push(t);
    // JIT, lazy loading and connection pools warm up before any round is measured.
    await wrk(tools.wrk, `${t.url}/api/users/42`, { connections: settings.wrkConnections, seconds: 3, warmSeconds: 1 });
  }
  // Rounds rotate through the targets, and each figure is the median of its rounds, so a burst
  // of unrelated load on the machine cannot favour or sink one target.
  const rates = new Map<string, RateResult[]>();
  const lastCaptures = new Map<string, NonNullable<TargetResult['captures']>>();
  const fulls = new Map<string, WrkResult[]>();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < opened.length; k++) {
      const t = opened[(k + round) % opened.length]!;
      const rate = await fixedRate(`${t.url}/api/users/42`, rateOptions);
      const full = await wrk(tools.wrk, `${t.url}/api/users/42`, fullOptions);
      rates.set(t.name, [...(rates.get(t.name) ?? []), rate]);
      fulls.set(t.name, [...(fulls.get(t.name) ?? []), full]);
      if (t.admin) {
        lastCaptures.set(t.name, await captureCounts(t.admin));
        // No worker drains the queue here: empty it, or a growing Redis (and its AOF rewrites)
        // would take CPU from whoever is measured next.
        await emptyRedis();
      }
      log(`  round ${round + 1} ${t.name}: fixed p50 ${rate.p50.toFixed(2)} p99 ${rate.p99.toFixed(2)} ms; full ${Math.round(full.rps)} req/s p99 ${full.p99.toFixed(2)} ms`);
    }
  }
  for (const t of opened) {
    const r = rates.get(t.name)!;
    const f = fulls.get(t.name)!;
    const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
    const result: TargetResult = {
      name: t.name,
      rate: median(r),
      full: median(f),
      spread: { p99: range(r.map((x) => x.p99)), rps: range(f.map((x) => x.rps)) },
    };
    const captures = lastCaptures.get(t.name);
    if (captures) result.captures = captures;
    results.push(result);
  }
  for (const t of opened.splice(0)) await t.stop();

  // Slow candidate. The tap's rounds alternate a tap mirroring to the fast candidate with one
  // mirroring to the slow candidate, so both are measured under the same conditions; nginx's
  // rounds come after the tap's, since nginx leaves thousands of mirrors queued behind each round.
  const tapFastRun = { name: 'shadowdiff tap, 100% mirrored', ...(await startTap(100, ports.candidate)) };
  const tapSlowRun = { name: 'shadowdiff tap, 100% mirrored, slow candidate', ...(await startTap(100, ports.slow)) };
  opened.push(tapFastRun, tapSlowRun);
  for (const t of [tapFastRun, tapSlowRun]) await fixedRate(`${t.url}/api/users/42`, { ...rateOptions, seconds: 3 });
  const slowRates = new Map<string, RateResult[]>();
  const measureSlow = async (t: { name: string; url: string }, round: number): Promise<void> => {
    const rate = await fixedRate(`${t.url}/api/users/42`, { ...rateOptions, maxWaitSeconds: 10 });
    slowRates.set(t.name, [...(slowRates.get(t.name) ?? []), rate]);
    log(`  round ${round + 1} ${t.name}: fixed p50 ${rate.p50.toFixed(2)} p99 ${rate.p99.toFixed(2)} ms (${rate.timeouts} unanswered after 10 s)`);
  };
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 === 0 ? [tapFastRun, tapSlowRun] : [tapSlowRun, tapFastRun]) await measureSlow(t, round);
    await emptyRedis();
  }
  const nginxSlow = { name: 'nginx mirror (100%), slow candidate', ...(await startNginx(ports.slow)) };
  opened.push(nginxSlow);
  for (let round = 0; round < rounds; round++) await measureSlow(nginxSlow, round);
  const p99Range = (name: string): [number, number] => {
    const p99s = slowRates.get(name)!.map((r) => r.p99);
    return [Math.min(...p99s), Math.max(...p99s)];
  };
  slow.push({ name: tapFastRun.name, fast: median(slowRates.get(tapFastRun.name)!), slow: median(slowRates.get(tapSlowRun.name)!), slowP99Range: p99Range(tapSlowRun.name) });
  const nginxName = 'nginx mirror (100%)';
  slow.push({ name: nginxName, fast: results.find((r) => r.name === nginxName)!.rate, slow: median(slowRates.get(nginxSlow.name)!), slowP99Range: p99Range(nginxSlow.name) });

  const byName = (n: string): TargetResult => results.find((r) => r.name === n)!;
  const direct = byName('direct');
  const tap = byName('shadowdiff tap, 100% mirrored');
  const tap0 = byName('shadowdiff tap, 0% mirrored');
  const nginx = byName('nginx mirror (100%)');
  const verdict = (ok: boolean): string => (ok ? 'met' : 'missed');
  const tapSlow = slow[0]!;
  const slowChange = (tapSlow.slow.p99 - tapSlow.fast.p99) / tapSlow.fast.p99;
  const targetsMet = [
    `fixed rate, tap adds ≤ 0.5 ms at p50 over direct: 0% ${delta(tap0.rate.p50, direct.rate.p50)} ms, 100% ${delta(tap.rate.p50, direct.rate.p50)} ms — ${verdict(tap.rate.p50 - direct.rate.p50 <= 0.5 && tap0.rate.p50 - direct.rate.p50 <= 0.5)}`,
    `fixed rate, tap adds ≤ 2 ms at p99 over direct: 0% ${delta(tap0.rate.p99, direct.rate.p99)} ms, 100% ${delta(tap.rate.p99, direct.rate.p99)} ms — ${verdict(tap.rate.p99 - direct.rate.p99 <= 2 && tap0.rate.p99 - direct.rate.p99 <= 2)}`,
    `full load, 100% mirroring, tap throughput ≥ nginx mirror's: ${Math.round(tap.full!.rps)} vs ${Math.round(nginx.full!.rps)} req/s — ${verdict(tap.full!.rps >= nginx.full!.rps)}`,
    `slow candidate moves the tap's primary p99 by ≤ 10%: ${(slowChange * 100).toFixed(1)}% — ${verdict(slowChange <= 0.1)}`,
  ];
  const nginxVersion = spawnSync(tools.nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
  const report: BenchReport = {
    command: 'npm run bench:tap',
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${nginxVersion}`,
    settings: { rate: settings.rate, seconds: settings.seconds, fullSeconds: settings.fullSeconds, wrkConnections: settings.wrkConnections, rateConnections: settings.rateConnections, rounds: settings.rounds },
    targets: results,
    slow,
    targetsMet,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/tap.json'), `${JSON.stringify(report, null, 2)}\n`);
  const section = renderTapSection(report);
  writeSection(join(root, 'bench/README.md'), 'Tap', section);
  syncReadmePerformance(root);
  log(`\n${section}`);
} finally {
  for (const t of opened) await t.stop().catch(() => undefined);
  await primaryUpstream.stop();
  await candidateUpstreams.stop();
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}

function delta(v: number, base: number): string {
  return `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(2)}`;
}
