/** Turns the tap benchmark's measurements into the `## Tap` section of bench/README.md. */
import type { CpuPerRequest } from './cpu-usage.ts';
import { DIRECT, LOAD_NAMES, NGINX, spreadOf, TAP, TAP_UNSHED, targetFigures, type LoadResult, type Spread, type TargetFigure, type TargetResult } from './targets.ts';

export interface BenchReport {
  command: string;
  machine: string;
  settings: { rate: number; seconds: number; fullSeconds: number; wrkConnections: number; rateConnections: number; rounds: number };
  loads: LoadResult[];
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : v === Infinity ? '> 10 s' : 'n/a');
const delta = (v: number, base: number): string => (Number.isFinite(v) ? `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(2)}` : 'n/a');
const range = (s: Spread, show: (v: number) => string): string => `${show(s.low)}–${show(s.high)}`;
const rps = (v: number): string => String(Math.round(v));

function figure(f: TargetFigure, value: number): string {
  if (!Number.isFinite(value)) return 'unbounded';
  return f.unit === '%' ? `${value >= 0 ? '+' : ''}${value.toFixed(1)}%` : `${value.toFixed(2)}×`;
}

/** One load's table of every target, and the slow-candidate table. */
function loadTables(result: LoadResult, rate: number): string[] {
  const direct = result.targets.find((t) => t.name === 'direct')!;
  const lines = [
    `### ${LOAD_NAMES[result.load][0]!.toUpperCase()}${LOAD_NAMES[result.load].slice(1)}`,
    '',
    '| target | fixed p50 | fixed p99 (rounds) | Δp50 | Δp99 | full-load req/s (rounds) | full-load p50 | full-load p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of result.targets) {
    const p99 = spreadOf(t.rounds.rate.map((r) => r.p99));
    const full = spreadOf(t.rounds.full.map((r) => r.rps));
    lines.push(
      `| ${t.name} | ${ms(t.rate.p50)} | ${ms(t.rate.p99)} (${range(p99, ms)}) | ${delta(t.rate.p50, direct.rate.p50)} | ${delta(t.rate.p99, direct.rate.p99)} | ` +
        `${rps(t.full!.rps)} (${range(full, rps)}) | ${ms(t.full!.p50)} | ${ms(t.full!.p99)} |`,
    );
  }
  lines.push(...cpuTable(result, rate));
  const withCaptures = result.targets.filter((t) => t.captures && t.name !== 'shadowdiff tap, 0% mirrored');
  if (withCaptures.length > 0) {
    lines.push(
      '',
      "Copies over all rounds, warm-ups included (the tap queues to a local redis-server on the same cores; the queue is emptied after each measurement, as workers would). A copy is never waited for: beyond `tap.maxInFlightShadows` in flight it is dropped and counted (`shadow_limit`), and while the serving thread is busy more than `tap.shedCopiesAbove` of its time it is shed (`tap_busy`); the tap that never sheds shows what mirroring every copy costs:",
      '',
      '| target | phase | requests | mirrored | share | queued | dropped |',
      '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const t of withCaptures) {
      for (const [phase, c] of [[`${rate} req/s`, t.captures!.fixed], ['full load', t.captures!.full]] as const) {
        const dropped = Object.entries(c.dropped).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
        const share = c.requests > 0 ? `${((c.mirrored / c.requests) * 100).toFixed(1)}%` : 'n/a';
        lines.push(`| ${t.name} | ${phase} | ${c.requests} | ${c.mirrored} | ${share} | ${c.queued} | ${dropped} |`);
      }
    }
  }
  lines.push(
    '',
    `Slow candidate (answers after 500 ms): the primary's latency at ${rate} requests/s with 100% mirroring, fast-candidate and slow-candidate rounds alternating.`,
    '',
    '| target | p50 fast candidate | p50 slow candidate | p99 fast candidate (rounds) | p99 slow candidate (rounds) |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const x of result.slow) {
    const fast = spreadOf(x.fast.map((r) => r.p99));
    const slow = spreadOf(x.slow.map((r) => r.p99));
    const p50 = (rs: typeof x.fast): string => ms(spreadOf(rs.map((r) => r.p50)).median);
    lines.push(`| ${x.name} | ${p50(x.fast)} | ${p50(x.slow)} | ${ms(fast.median)} (${range(fast, ms)}) | ${ms(slow.median)} (${range(slow, ms)}) |`);
  }
  return lines;
}

/** What each request at the fixed rate cost each process in CPU, from /proc: where a tap's tail comes from. */
function cpuTable(result: LoadResult, rate: number): string[] {
  const measured = result.targets.filter((t) => t.cpu && t.cpu.length > 0 && t.name !== DIRECT);
  if (measured.length === 0) return [];
  const us = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(0));
  const median = (t: TargetResult, f: (c: CpuPerRequest) => number | undefined): number | undefined => {
    const values = t.cpu!.map(f).filter((v): v is number => v !== undefined);
    return values.length > 0 ? spreadOf(values).median : undefined;
  };
  const lines = [
    '',
    `CPU per request at ${rate} req/s, in µs (median of the rounds, warm-up included), read from /proc. The candidate answers the copies of whichever target is measured; Redis holds the tap's queue. The primary and the load generator are left out: they do the same for every target.`,
    '',
    '| target | proxy in all | its serving thread | its shadow thread | candidate | Redis | in all |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of measured) {
    const tap = t.cpu!.some((c) => c.shadow !== undefined);
    const proxy = median(t, (c) => c.serving + (c.shadow ?? 0) + (c.other ?? 0));
    const all = median(t, (c) => c.serving + (c.shadow ?? 0) + (c.other ?? 0) + c.candidate + c.redis);
    lines.push(
      `| ${t.name} | ${us(proxy)} | ${tap ? us(median(t, (c) => c.serving)) : '—'} | ${tap ? us(median(t, (c) => c.shadow)) : '—'} | ` +
        `${us(median(t, (c) => c.candidate))} | ${us(median(t, (c) => c.redis))} | ${us(all)} |`,
    );
  }
  return lines;
}

/** What shedding bought at full load on one load: the share the tap still mirrored, and the never-shedding tap's throughput ratio. */
function sheddingLine(result: LoadResult): string | undefined {
  const tap = result.targets.find((t) => t.name === TAP);
  const unshed = result.targets.find((t) => t.name === TAP_UNSHED);
  const nginx = result.targets.find((t) => t.name === NGINX);
  if (!tap?.captures || !unshed?.captures || !nginx) return undefined;
  const share = (c: { requests: number; mirrored: number }): string => `${((c.mirrored / c.requests) * 100).toFixed(1)}%`;
  const rounds = Math.min(unshed.rounds.full.length, nginx.rounds.full.length);
  const ratio = spreadOf(Array.from({ length: rounds }, (_, r) => unshed.rounds.full[r]!.rps / nginx.rounds.full[r]!.rps));
  return (
    `Full load, ${LOAD_NAMES[result.load]}: the tap mirrored ${share(tap.captures.full)} of its requests, shedding the rest while its serving thread was busy (\`tap_busy\`); ` +
    `the tap that never sheds mirrored ${share(unshed.captures.full)} at ${ratio.median.toFixed(2)}× nginx mirror's throughput (${ratio.low.toFixed(2)}× to ${ratio.high.toFixed(2)}×).`
  );
}

/** The `## Tap` section. */
export function renderTapSection(report: BenchReport): string {
  const s = report.settings;
  const lines = [
    '## Tap',
    '',
    `\`${report.command}\` — ${report.machine}. One run, same upstreams (Node servers answering a 160-byte JSON document; the primary in one process, the candidates in another, as on their own hosts) and the same load generators for every target, ` +
      `on an idle machine and again with a CPU hog (one spinning process per core, at the default priority) competing with every process of the run. ` +
      "nginx's mirror, configured with keepalive to both upstreams, still opens a new connection to the candidate for each copy (its mirror subrequests leave the pool unused), so its copies cost the candidate more CPU than the tap's pooled ones.",
    '',
    `Fixed rate: ${s.rate} requests/s for ${s.seconds} s after a warm-up, ${s.rateConnections} keep-alive connections, open loop (bench/tap/fixed-rate.ts). ` +
      `Full load: \`wrk -t1 -c${s.wrkConnections} -d${s.fullSeconds}s\` after a warm-up. ${s.rounds} rounds rotate through the targets; each figure is the median of the rounds, ` +
      "with the lowest and highest round in brackets (one pause of a process decides a round's fixed-rate p99: the 50 slowest of " +
      `${s.rate * s.seconds} requests). Latencies in ms; Δ is the difference from direct.`,
    '',
    '### Targets',
    '',
    'Each target is a ratio to nginx mirror measured in the same rounds (so a busy machine moves both alike): the median over the rounds of the per-round figure, with its lowest and highest round.',
    '',
    `| target | limit | ${report.loads.map((l) => LOAD_NAMES[l.load]).join(' | ')} |`,
    `| --- | --- | ${report.loads.map(() => '---').join(' | ')} |`,
  ];
  const perLoad = report.loads.map((l) => targetFigures(l));
  for (let i = 0; i < (perLoad[0]?.length ?? 0); i++) {
    const f = perLoad[0]![i]!;
    const cells = perLoad.map((figures) => {
      const x = figures[i]!;
      return `${figure(x, x.figure.median)} (${figure(x, x.figure.low)} to ${figure(x, x.figure.high)}) ${x.met ? '— met' : '— missed'}`;
    });
    lines.push(`| ${f.name} | ${f.limit} | ${cells.join(' | ')} |`);
  }
  for (const load of report.loads) {
    const shedding = sheddingLine(load);
    if (shedding) lines.push('', shedding);
  }
  for (const load of report.loads) lines.push('', ...loadTables(load, s.rate));
  lines.push('');
  return lines.join('\n');
}
