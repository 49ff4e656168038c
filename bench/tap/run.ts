/**
 * The tap against its peers, in one run on the same upstreams and load generators: direct to the
 * primary, a plain Node proxy, nginx's mirror module (bench/tap/nginx-mirror.conf.template),
 * and the shadowdiff tap at 0% and 100% mirroring (the real `shadowdiff tap` command with a local
 * redis-server); then a slow candidate (500 ms) behind the tap and behind nginx. All of it on an
 * idle machine, then again with a CPU hog spinning on every core.
 *
 *   npm run bench:tap [-- --rate 1000 --seconds 5 --full-seconds 5 --connections 64 --rounds 5
 *                        --loads idle,hog --no-write]
 *
 * Writes bench/results/tap.json and the `## Tap` section of bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { startCpuHog } from '../cpu-hog.ts';
import { withCpu } from './cpu-usage.ts';
import { publishFigures } from '../performance.ts';
import { writeSection } from '../readme-sections.ts';
import { fixedRate, median, requireTools, wrk, type RateResult } from './processes.ts';
import { addCounts, countsBetween, NO_COUNTS, startPeers, type CaptureCounts, type Opened, type Peers } from './peers.ts';
import { renderTapSection, type BenchReport } from './report.ts';
import { DIRECT, NGINX, TAP, TAP_UNSHED, targetFigures, type Load, type LoadResult, type SlowResult, type TargetResult } from './targets.ts';

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
    loads: { type: 'string', default: 'idle,hog' },
    'no-write': { type: 'boolean', default: false },
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
const loads = values.loads!.split(',') as Load[];
for (const load of loads) if (load !== 'idle' && load !== 'hog') throw new Error(`--loads: unknown load "${load}" (idle, hog)`);

const tools = requireTools();
const work = mkdtempSync(join(tmpdir(), 'sd-bench-tap-'));
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const neverShedding = join(work, 'never-shedding.yaml');
writeFileSync(neverShedding, 'tap:\n  shedCopiesAbove: 1\n');
const path = '/api/users/42';
const rateOptions = { rate: settings.rate, seconds: settings.seconds, warmSeconds: settings.warm, connections: settings.rateConnections };
const fullOptions = { connections: settings.wrkConnections, seconds: settings.fullSeconds, warmSeconds: 2 };

type Target = { name: string; open: () => Promise<Opened> };
const targetsOf = (peers: Peers): Target[] => [
  { name: DIRECT, open: async () => ({ url: peers.origin(peers.ports.primary), stop: async () => undefined }) },
  { name: 'plain Node proxy (undici, no mirroring)', open: () => peers.startPlainProxy() },
  { name: NGINX, open: () => peers.startNginx(peers.ports.candidate) },
  { name: 'shadowdiff tap, 0% mirrored', open: () => peers.startTap(0, peers.ports.candidate) },
  { name: TAP, open: () => peers.startTap(100, peers.ports.candidate) },
  { name: TAP_UNSHED, open: () => peers.startTap(100, peers.ports.candidate, { args: ['--config', neverShedding] }) },
];

/** Runs `body` with what it opens stopped afterwards, whatever happens. */
async function withOpened<T>(body: (open: <O extends Opened>(o: Promise<O>) => Promise<O>) => Promise<T>): Promise<T> {
  const opened: Opened[] = [];
  try {
    return await body(async (o) => {
      const x = await o;
      opened.push(x);
      return x;
    });
  } finally {
    for (const o of opened) await o.stop().catch(() => undefined);
  }
}

/** Fixed-rate and full-load rounds that rotate through the targets, so unrelated load cannot favour or sink one. */
async function measureTargets(peers: Peers, load: Load): Promise<TargetResult[]> {
  return withOpened(async (open) => {
    const opened: (Opened & { name: string })[] = [];
    for (const target of targetsOf(peers)) {
      opened.push({ name: target.name, ...(await open(target.open())) });
      // JIT, lazy loading and connection pools warm up before any round is measured.
      await wrk(tools.wrk, `${opened.at(-1)!.url}${path}`, { connections: settings.wrkConnections, seconds: 3, warmSeconds: 1 });
    }
    type Rounds = Pick<TargetResult, 'name' | 'rounds' | 'captures' | 'cpu'>;
    const results = new Map<string, Rounds>(opened.map((t) => [t.name, { name: t.name, rounds: { rate: [], full: [] }, cpu: [] }]));
    // The warm-up runs at the same rate, and its CPU is read with the rest.
    const fixedRequests = settings.rate * (settings.seconds + settings.warm);
    for (let round = 0; round < settings.rounds; round++) {
      for (let k = 0; k < opened.length; k++) {
        const t = opened[(k + round) % opened.length]!;
        const result = results.get(t.name)!;
        const counts = async (): Promise<CaptureCounts> => (t.admin ? peers.captureCounts(t.admin) : NO_COUNTS);
        const c0 = await counts();
        const watch = { ...(t.pid ? { proxy: { pid: t.pid, tap: t.admin !== undefined } } : {}), candidatePid: peers.pids.candidate, redisPid: peers.pids.redis };
        const { result: rate, cpu } = await withCpu(watch, fixedRequests, () => fixedRate(`${t.url}${path}`, rateOptions));
        const c1 = await counts();
        if (t.admin) await peers.emptyRedis();
        const full = await wrk(tools.wrk, `${t.url}${path}`, fullOptions);
        const c2 = await counts();
        result.rounds.rate.push(rate);
        result.rounds.full.push(full);
        result.cpu!.push(cpu);
        if (t.admin) {
          const sum = result.captures ?? { fixed: NO_COUNTS, full: NO_COUNTS };
          result.captures = { fixed: addCounts(sum.fixed, countsBetween(c0, c1)), full: addCounts(sum.full, countsBetween(c1, c2)) };
          // No worker drains the queue here: empty it, or a growing Redis (and its AOF rewrites)
          // would take CPU from whoever is measured next.
          await peers.emptyRedis();
        }
        log(`  ${load} round ${round + 1} ${t.name}: fixed p50 ${rate.p50.toFixed(2)} p99 ${rate.p99.toFixed(2)} ms; full ${Math.round(full.rps)} req/s p99 ${full.p99.toFixed(2)} ms`);
      }
    }
    return [...results.values()].map((r) => ({ ...r, rate: median(r.rounds.rate), full: median(r.rounds.full) }));
  });
}

/**
 * The primary's latency with a slow candidate (500 ms). The tap's rounds alternate a tap
 * mirroring to the fast candidate with one mirroring to the slow candidate, so both are measured
 * under the same conditions. nginx's slow rounds come last: it leaves thousands of mirrors queued
 * behind each round.
 */
async function measureSlow(peers: Peers, load: Load): Promise<SlowResult[]> {
  return withOpened(async (open) => {
    const fast = await open(peers.startTap(100, peers.ports.candidate));
    const slow = await open(peers.startTap(100, peers.ports.slow));
    for (const t of [fast, slow]) await fixedRate(`${t.url}${path}`, { ...rateOptions, seconds: 3 });
    const tap: SlowResult = { name: TAP, fast: [], slow: [] };
    const measure = async (url: string, into: RateResult[], label: string, round: number): Promise<void> => {
      const rate = await fixedRate(`${url}${path}`, { ...rateOptions, maxWaitSeconds: 10 });
      into.push(rate);
      log(`  ${load} round ${round + 1} ${label}: fixed p50 ${rate.p50.toFixed(2)} p99 ${rate.p99.toFixed(2)} ms (${rate.timeouts} unanswered after 10 s)`);
    };
    for (let round = 0; round < settings.rounds; round++) {
      const pair = [() => measure(fast.url, tap.fast, 'tap, fast candidate', round), () => measure(slow.url, tap.slow, 'tap, slow candidate', round)];
      for (const step of round % 2 === 0 ? pair : pair.reverse()) await step();
      await peers.emptyRedis();
    }
    const nginxFast = await open(peers.startNginx(peers.ports.candidate));
    const nginx: SlowResult = { name: NGINX, fast: [], slow: [] };
    for (let round = 0; round < settings.rounds; round++) await measure(nginxFast.url, nginx.fast, 'nginx, fast candidate', round);
    const nginxSlow = await open(peers.startNginx(peers.ports.slow));
    for (let round = 0; round < settings.rounds; round++) await measure(nginxSlow.url, nginx.slow, 'nginx, slow candidate', round);
    return [tap, nginx];
  });
}

const peers = await startPeers(root, work, { binary: tools.nginx, template: values.template! });
const results: LoadResult[] = [];
try {
  log(`shadowdiff tap benchmark (${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  for (const load of loads) {
    const hog = load === 'hog' ? startCpuHog() : undefined;
    try {
      const targets = await measureTargets(peers, load);
      const slow = await measureSlow(peers, load);
      results.push({ load, targets, slow });
    } finally {
      hog?.stop();
    }
    for (const figure of targetFigures(results.at(-1)!)) log(`  ${load}: ${figure.name}: ${figure.figure.median.toFixed(2)}${figure.unit} (${figure.limit}) ${figure.met ? 'met' : 'missed'}`);
  }
} finally {
  await peers.stop();
  rmSync(work, { recursive: true, force: true });
}

const nginxVersion = spawnSync(tools.nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
const report: BenchReport = {
  command: 'npm run bench:tap',
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${nginxVersion}`,
  settings: { ...settings },
  loads: results,
};
const section = renderTapSection(report);
log(`\n${section}`);
if (!values['no-write']) {
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/tap.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeSection(join(root, 'bench/README.md'), 'Tap', section);
  publishFigures(root);
}
