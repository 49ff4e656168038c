/**
 * The judgement benchmark's tables: an overall table per configuration, one table per noise
 * reference with every scenario idle and under a CPU hog, and the targets.
 */
import type { Checkpoint } from './drive.ts';
import type { ConfigurationScore, ScenarioScore } from './score.ts';

export type Reference = 'secondary' | 'control-20' | 'control-5' | 'none';
export type Load = 'idle' | 'hog';

export const REFERENCES: readonly Reference[] = ['secondary', 'control-20', 'control-5', 'none'];
export const LOADS: readonly Load[] = ['idle', 'hog'];

export const REFERENCE_NAMES: Record<Reference, string> = {
  secondary: 'secondary',
  'control-20': 'control copies 20%',
  'control-5': 'control copies 5%',
  none: 'no reference',
};

export interface ConfigurationResult {
  reference: Reference;
  load: Load;
  scores: ScenarioScore[];
  overall: ConfigurationScore;
  checkpoints: Checkpoint[];
  /** The p99 of the tap's shadow-thread event-loop delay in each 5 s window of the run, ms. */
  loopDelayP99Ms?: number[];
}

const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);
const count = (n: number | null): string => (n === null ? 'never' : String(n));
const ratio = (value: number | null): string => (value === null ? '-' : `${value.toFixed(2)}×`);

function loopDelayCell(windows: readonly number[] | undefined): string {
  if (!windows || windows.length === 0) return '-';
  const sorted = [...windows].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} (${sorted.at(-1)!.toFixed(1)})`;
}

function verdictCell(s: ScenarioScore): string {
  const noise = s.noiseCalledReal > 0 ? `, ${s.noiseCalledReal} noise real` : '';
  if (s.scenario.group === 'regression') return `${s.detected ? 'real' : 'missed'}${noise} ${s.right ? '✓' : '✗'}`;
  if (s.scenario.group === 'noise') {
    if (s.noiseCalledReal > 0) return `${s.noiseCalledReal}/${s.noiseFields} real ✗`;
    return s.noiseUndecided > 0 ? `${s.noiseUndecided}/${s.noiseFields} undecided ✗` : `noise ✓`;
  }
  const failed = s.gate.failed.includes('p99_latency_ratio');
  return `${!s.latency.judged ? 'not judged' : failed ? 'slower' : 'alike'} ${s.right ? '✓' : '✗'}`;
}

const gateCell = (s: ScenarioScore): string => `${s.gate.verdict}${s.gate.right ? ' ✓' : ' ✗'}`;

function latencyCell(s: ScenarioScore): string {
  if (!s.latency.truth) return '';
  const own = s.latency.own ? `; services’ own ${ratio(s.latency.own.ratioP99)}` : '';
  return `${ratio(s.latency.p99)} (${s.latency.basis}, ${s.latency.samples})${own}`;
}

/** One row per scenario: verdict, exchanges to the right verdict and gate, idle and under the hog. */
export function scenarioTable(reference: Reference, results: readonly ConfigurationResult[]): string {
  const of = (load: Load): ScenarioScore[] => results.find((r) => r.reference === reference && r.load === load)?.scores ?? [];
  const idle = of('idle');
  const hog = of('hog');
  const lines = [
    `### ${REFERENCE_NAMES[reference]}`,
    '',
    '| scenario | idle: verdict | exchanges to right | gate | CPU hog: verdict | exchanges to right | gate | p99 ratio idle: measured (basis, samples); services’ own | p99 ratio hog | true p99 ratio |',
    '| --- | --- | ---: | --- | --- | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const [i, s] of idle.entries()) {
    const h = hog[i];
    lines.push(
      `| ${s.scenario.description} | ${verdictCell(s)} | ${count(s.exchangesToRight)} | ${gateCell(s)} | ${h ? verdictCell(h) : '-'} | ${h ? count(h.exchangesToRight) : '-'} | ${h ? gateCell(h) : '-'} | ${latencyCell(s)} | ${h ? latencyCell(h) : ''} | ${s.latency.truth ? ratio(s.latency.truth.ratioP99) : ''} |`,
    );
  }
  return lines.join('\n');
}

export function overallTable(results: readonly ConfigurationResult[]): string {
  const lines = [
    '| noise reference | load | recall, regressions in ≥ 2% | recall, all regressions | noise fields called real | noise fields undecided | gate right | median exchanges to right verdict | always-differing fields judged noise by | identical services: p99 ratio | +100% p99: gate | tap loop delay p99, ms (median of 5 s windows; highest) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const r of results) {
    const o = r.overall;
    const same = r.scores.find((s) => s.scenario.name === 'latency-same');
    const double = r.scores.find((s) => s.scenario.name === 'latency-100');
    lines.push(
      `| ${REFERENCE_NAMES[r.reference]} | ${r.load} | ${o.recall2.detected}/${o.recall2.of} (${pct(o.recall2.detected, o.recall2.of)}) | ${o.recallAll.detected}/${o.recallAll.of} | ${o.noise.calledReal}/${o.noise.of} (${pct(o.noise.calledReal, o.noise.of)}) | ${o.noise.undecided}/${o.noise.of} | ${o.gate.right}/${o.gate.of} | ${count(o.medianExchangesToRight)} | ${o.worstExchangesToAlwaysNoise === null ? 'not by the end' : `${o.worstExchangesToAlwaysNoise} exchanges`} | ${same ? `${ratio(same.latency.p99)}${same.gate.failed.includes('p99_latency_ratio') ? ', failed ✗' : ''}` : '-'} | ${double ? (double.gate.failed.includes('p99_latency_ratio') ? 'fail ✓' : double.latency.judged ? 'pass ✗' : 'not judged ✗') : '-'} | ${loopDelayCell(r.loopDelayP99Ms)} |`,
    );
  }
  return lines.join('\n');
}

/** The issue's targets, each with what was measured and whether it is met. */
export function targetLines(results: readonly ConfigurationResult[]): string[] {
  const withSecondary = results.filter((r) => r.reference === 'secondary');
  const lines: string[] = [];
  const met = (ok: boolean): string => (ok ? 'met' : 'not met');
  const recall = withSecondary.map((r) => r.overall.recall2);
  const detected = recall.reduce((n, r) => n + r.detected, 0);
  const of = recall.reduce((n, r) => n + r.of, 0);
  lines.push(`- With a secondary, ≥ 99% recall of regressions in ≥ 2% of exchanges: ${detected}/${of} (${pct(detected, of)}) — ${met(of > 0 && detected / of >= 0.99)}`);
  const noise = withSecondary.map((r) => r.overall.noise);
  const real = noise.reduce((n, r) => n + r.calledReal, 0);
  const fields = noise.reduce((n, r) => n + r.of, 0);
  lines.push(`- With a secondary, ≤ 1% of noise fields called real: ${real}/${fields} (${pct(real, fields)}) — ${met(fields > 0 && real / fields <= 0.01)}`);
  const same = results.flatMap((r) => r.scores.filter((s) => s.scenario.name === 'latency-same').map((s) => ({ r, s })));
  const neverFailed = same.every(({ s }) => !s.gate.failed.includes('p99_latency_ratio'));
  lines.push(`- Identical services never fail the gate on latency, idle or loaded, in any configuration: ${same.filter(({ s }) => s.gate.failed.includes('p99_latency_ratio')).length} of ${same.length} failed — ${met(neverFailed)}`);
  const onSecondary = same.filter(({ r, s }) => r.reference === 'secondary' && s.latency.p99 !== null);
  const within = onSecondary.filter(({ s }) => s.latency.p99! >= 0.8 && s.latency.p99! <= 1.25);
  const cell = ({ r, s }: (typeof same)[number]): string => `${ratio(s.latency.p99)} (${r.load}, ${s.latency.samples} exchanges)`;
  lines.push(`- Identical services' p99 ratio within 0.8–1.25 on the secondary: ${onSecondary.map(cell).join(', ')} — ${met(onSecondary.length > 0 && within.length === onSecondary.length)}`);
  const onControls = same.filter(({ r, s }) => r.reference.startsWith('control') && s.latency.p99 !== null);
  if (onControls.length > 0) {
    lines.push(
      `  - on control copies, whose p99 rests on a few hundred copies or fewer (for information): ${onControls.map((x) => `${REFERENCE_NAMES[x.r.reference]} ${cell(x)}`).join(', ')}`,
    );
  }
  const doubled = withSecondary.flatMap((r) => r.scores.filter((s) => s.scenario.name === 'latency-100'));
  const doubledRuns = withSecondary.flatMap((r) => r.scores.filter((s) => s.scenario.name === 'latency-100').map((s) => `${r.load}: ${s.gate.failed.includes('p99_latency_ratio') ? 'failed' : 'passed'}, measured ${ratio(s.latency.p99)}, services’ own ${ratio(s.latency.own?.ratioP99 ?? null)}`));
  lines.push(
    `- A +100% p99 regression fails the gate (with a secondary): ${doubled.filter((s) => s.gate.failed.includes('p99_latency_ratio')).length} of ${doubled.length} runs (${doubledRuns.join('; ')}) — ${met(doubled.length > 0 && doubled.every((s) => s.gate.failed.includes('p99_latency_ratio')))}`,
  );
  const fast = withSecondary.flatMap((r) => r.scores.filter((s) => s.scenario.name === 'latency-100-fast').map((s) => `${r.load}: ${s.gate.failed.includes('p99_latency_ratio') ? 'failed' : 'passed'}, measured ${ratio(s.latency.p99)}, services’ own ${ratio(s.latency.own?.ratioP99 ?? null)}, tap loop delay p99 ${loopDelayCell(r.loopDelayP99Ms)} ms`));
  if (fast.length > 0) lines.push(`  - the same regression of a fast service, p99 26 ms (for information: the limit the host's scheduling sets): ${fast.join('; ')}`);
  const worst = withSecondary.map((r) => r.overall.worstExchangesToAlwaysNoise);
  lines.push(
    `- With a secondary, a field differing on both sides in every exchange is judged within 20 exchanges: by ${worst.map((w) => (w === null ? 'never' : w)).join(' and ')} — ${met(worst.every((w) => w !== null && w <= 20))}`,
  );
  return lines;
}
