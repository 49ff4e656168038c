/** Turns the benchmark's measurements into the markdown table of bench/README.md. */
import type { RateResult, WrkResult } from './processes';

/** One target's measurements. */
export interface TargetResult {
  name: string;
  rate: RateResult;
  full?: WrkResult;
  /** Lowest and highest of the rounds, to show how much the machine moved the figures. */
  spread?: { p99: [number, number]; rps: [number, number] };
  /** For the taps: what became of the captures during the full-load run. */
  captures?: { mirrored: number; queued: number; dropped: Record<string, number> };
}

export interface BenchReport {
  command: string;
  machine: string;
  settings: { rate: number; seconds: number; fullSeconds: number; wrkConnections: number; rateConnections: number; rounds: number };
  targets: TargetResult[];
  slow: { name: string; fast: RateResult; slow: RateResult; slowP99Range: [number, number] }[];
  targetsMet: string[];
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : v === Infinity ? '> 10 s' : 'n/a');
const ratio = (v: number, base: number): string => (Number.isFinite(v) && base > 0 ? `${(v / base).toFixed(2)}×` : 'n/a');
const delta = (v: number, base: number): string => (Number.isFinite(v) ? `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(2)}` : 'n/a');

/** The `## Tap` section. */
export function renderTapSection(report: BenchReport): string {
  const direct = report.targets.find((t) => t.name === 'direct')!;
  const s = report.settings;
  const lines = [
    '## Tap',
    '',
    `\`${report.command}\` — ${report.machine}. One run, same upstreams (Node servers answering a 160-byte JSON document; the primary in one process, the candidates in another, as on their own hosts) and the same load generators for every target.`,
    '',
    `Fixed rate: ${s.rate} requests/s for ${s.seconds} s after a warm-up, ${s.rateConnections} keep-alive connections, open loop (bench/tap/fixed-rate.ts). ` +
      `Full load: \`wrk -t1 -c${s.wrkConnections} -d${s.fullSeconds}s\` after a warm-up. Each figure is the median of ${s.rounds} rounds that rotate through the targets. ` +
      'Latencies in ms; Δ is the difference from direct, ratios are to direct.',
    '',
    '| target | fixed p50 | fixed p99 | Δp50 | Δp99 | full-load req/s | req/s ratio | full-load p50 | full-load p99 | p99 ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of report.targets) {
    const f = t.full;
    lines.push(
      `| ${t.name} | ${ms(t.rate.p50)} | ${ms(t.rate.p99)} | ${delta(t.rate.p50, direct.rate.p50)} | ${delta(t.rate.p99, direct.rate.p99)} | ` +
        `${f ? Math.round(f.rps) : 'n/a'} | ${f ? ratio(f.rps, direct.full!.rps) : 'n/a'} | ${f ? ms(f.p50) : 'n/a'} | ${f ? ms(f.p99) : 'n/a'} | ${f ? ratio(f.p99, direct.full!.p99) : 'n/a'} |`,
    );
  }
  lines.push(
    '',
    `Spread over the ${s.rounds} rounds (lowest–highest): the machine is shared, so one pause of a process decides a round's fixed-rate p99 (the 50 slowest of ${s.rate * s.seconds} requests).`,
    '',
    '| target | fixed p99 | full-load req/s |',
    '| --- | ---: | ---: |',
    ...report.targets.filter((t) => t.spread).map((t) => `| ${t.name} | ${ms(t.spread!.p99[0])}–${ms(t.spread!.p99[1])} | ${Math.round(t.spread!.rps[0])}–${Math.round(t.spread!.rps[1])} |`),
  );
  const withCaptures = report.targets.filter((t) => t.captures);
  if (withCaptures.length > 0) {
    lines.push(
      '',
      'Captures over all rounds (the tap queues to a local redis-server on the same 2 cores; the queue is emptied after each measurement, as workers would):',
      '',
    );
    for (const t of withCaptures) {
      const c = t.captures!;
      const dropped = Object.entries(c.dropped).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
      lines.push(`- ${t.name}: ${c.mirrored} mirrored, ${c.queued} queued, dropped: ${dropped}`);
    }
  }
  lines.push(
    '',
    `Slow candidate (answers after 500 ms), primary latency at ${s.rate} requests/s with 100% mirroring. ` +
      "The tap's fast and slow figures come from alternating rounds of two taps (one mirroring to each candidate), run before nginx's slow rounds, which leave thousands of mirrors queued; nginx's fast figures are from the table above:",
    '',
    '| target | p50 fast candidate | p50 slow candidate | p99 fast candidate | p99 slow candidate | p99 change | slow p99 over rounds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const x of report.slow) {
    const change = ((x.slow.p99 - x.fast.p99) / x.fast.p99) * 100;
    const shown = Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${change.toFixed(1)}%` : 'unbounded';
    lines.push(`| ${x.name} | ${ms(x.fast.p50)} | ${ms(x.slow.p50)} | ${ms(x.fast.p99)} | ${ms(x.slow.p99)} | ${shown} | ${ms(x.slowP99Range[0])}–${ms(x.slowP99Range[1])} |`);
  }
  lines.push('', 'Targets:', '', ...report.targetsMet.map((t) => `- ${t}`), '');
  return lines.join('\n');
}
