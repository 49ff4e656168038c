/**
 * The README's Performance section and the capacity plan, generated from the latest figures, so
 * they cannot drift from them: each bench run rewrites them, and a test compares them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityPlan, readCapacityInputs } from './capacity.ts';
import { readSection, replaceSection } from './readme-sections.ts';

/** The cells of the markdown table row whose first cell is `name`. */
function row(section: string, name: string): string[] {
  const line = section.split('\n').find((l) => l.startsWith(`| ${name} |`));
  if (!line) throw new Error(`bench/README.md has no row "${name}"`);
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

const num = (cell: string): number => Number(cell.replace(/[^\d.+-]/g, ''));
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** " At full load the tap mirrored 9.9% / 31.6% of requests …", from the tap section's shedding lines, or nothing. */
function sheddingSummary(tap: string): string {
  const lines = [...tap.matchAll(/^Full load, [^:]+: the tap mirrored ([\d.]+%) of its requests.*never sheds mirrored ([\d.]+%) at ([\d.]+×) nginx/gm)];
  if (lines.length === 0) return '';
  const join = (i: number): string => lines.map((m) => m[i]).join(' / ');
  return ` At full load the tap mirrored ${join(1)} of its requests, shedding the rest while its serving thread was busy; a tap that never sheds mirrored ${join(2)} at ${join(3)} nginx mirror's throughput.`;
}

/** The README's `## Performance` section, from the bench README's text. */
export function performanceSection(bench: string): string {
  const lines = ['## Performance', '', 'Generated from the latest run of each benchmark (`npm run bench:tap`, `npm run bench:worker`, `npm run bench:judgement`, `npm run bench:api`, `npm run bench:freshness`; full tables, spreads and settings in `bench/README.md`), on a shared 2-core machine:', ''];
  const tap = readSection(bench, 'Tap');
  if (tap) {
    // The targets table: target, limit, then one cell per load ("1.02× (0.90× to 1.20×) — met").
    const loads = row(tap, 'target | limit').slice(2);
    const cells = (name: string): { value: string; verdict: string }[] =>
      row(tap, name).slice(2).map((cell) => ({ value: cell.replace(/ \(.*/, ''), verdict: cell.replace(/.*— /, '') }));
    const each = (name: string, limit: string): string => {
      const c = cells(name);
      return `${c.map((x) => x.value).join(' / ')} (target ${limit}: ${c.map((x) => x.verdict).join(' / ')})`;
    };
    lines.push(
      `- Tap, as ratios to nginx mirror measured in the same rounds (median of the rounds; ${loads.join(' / ')}): ` +
        `added p99 over going direct at 1000 req/s with 100% mirroring ${each("1000 req/s, 100% mirrored: the tap's added p99 over direct ÷ nginx mirror's", '≤ 1.00×')}; ` +
        `full-load throughput with 100% mirroring ${each("full load, 100% mirrored: the tap's throughput ÷ nginx mirror's", '≥ 1.25×')}; ` +
        `a candidate answering after 500 ms moves the primary's p99 by ${each("a candidate answering after 500 ms: change in the primary's p99 behind the tap", '≤ +10%')}, where nginx mirror stops answering clients.` +
        sheddingSummary(tap),
    );
  }
  const worker = readSection(bench, 'Worker');
  if (worker) {
    const twoKb = row(worker, '2 KB');
    lines.push(`- Worker, one process: ${thousands(num(twoKb[2]!))} exchanges/s with ~2 KB JSON bodies (10% differing), the diff step costing ${twoKb[4]} the pipeline without it (derived).`);
    // "Target: the replay never the bottleneck, …: met, 1.10× (median); end to end 0.80× the worker alone."
    const replay = /Target: the replay never the bottleneck[^:]*: (met|missed), ([\d.]+×) \(median\); end to end ([\d.]+×)/.exec(worker);
    const perCpu = worker.includes("| sent per second of the replay's own CPU (derived) |") ? row(worker, "sent per second of the replay's own CPU (derived)")[3]!.replace(/ \(.*/, '') : undefined;
    if (replay) {
      lines.push(
        `- Replay at \`--speed max\` beside its own worker, Redis and Postgres on the same 2 cores: sends and queues ${replay[2]} the worker's own throughput (target ≥ 1.00×, so that the replay is never the bottleneck: ${replay[1]}), and ${replay[3]} end to end until every exchange is stored (median of the rounds)` +
          (perCpu ? `; per second of its own CPU it sends ${perCpu} the worker's throughput (derived: the rate with a core to itself).` : '.'),
      );
    }
  }
  const judgement = readSection(bench, 'Judgement');
  if (judgement) {
    // Columns: reference, load, recall ≥ 2%, recall all, noise called real, undecided, gate right, ...
    const idle = row(judgement, 'secondary | idle');
    const hog = judgement.includes('| secondary | hog |') ? row(judgement, 'secondary | hog') : undefined;
    const none = judgement.includes('| no reference | idle |') ? row(judgement, 'no reference | idle') : undefined;
    const doubled = /^- A \+100% p99 regression fails the gate \(with a secondary\): (\d+ of \d+)/m.exec(judgement);
    lines.push(
      `- Verdicts against a labelled corpus through the whole pipeline (\`npm run bench:judgement\`), with a secondary: recall of regressions in ≥ 2% of exchanges ${idle[2]} idle${hog ? ` and ${hog[2]} under a CPU hog` : ''}; noise fields called real ${idle[4]}${hog ? ` and ${hog[4]}` : ''}; gate right on ${idle[6]} routes${hog ? ` and ${hog[6]}` : ''}.` +
        (doubled ? ` A candidate twice as slow at p99 fails the gate in ${doubled[1]} runs, idle and under the hog.` : '') +
        (none ? ` With no noise reference at all, noise fields called real: ${none[4]}.` : ''),
    );
  }
  const api = readSection(bench, 'API reads');
  if (api) {
    const header = api.split('\n').find((l) => l.startsWith('| read |'));
    const largest = header?.match(/p99 at (\S+) </)?.[1];
    const rows = api.split('\n').filter((l) => /^\| [a-z]/.test(l) && !l.startsWith('| read |')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    if (largest && rows.length > 0) {
      const p99 = (cells: string[]): number => Number(cells.at(-3)!.split('/')[1]);
      const slowest = rows.reduce((a, b) => (p99(b) > p99(a) ? b : a));
      const met = rows.filter((r) => r.at(-1) === 'met').length;
      const growth = rows.map((r) => Number.parseFloat(r.at(-2)!)).sort((a, b) => a - b).map((g) => g.toFixed(2));
      lines.push(`- API reads (\`npm run bench:api\`) on a run of ${largest} exchanges: ${met} of ${rows.length} reads under 200 ms at p99; the slowest, ${slowest[0]}, ${p99(slowest)} ms (p99 growth from the smallest run: ${growth[0]}× to ${growth.at(-1)}×).`);
    }
  }
  const freshness = readSection(bench, 'Freshness');
  if (freshness) {
    const line = freshness.split('\n').find((l) => /^\| \d+ req\/s, one worker \|/.test(l));
    if (!line) throw new Error('bench/README.md has no freshness row');
    const [load, p50, p99] = line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/ \(.*/, ''));
    lines.push(`- Freshness (\`npm run bench:freshness\`): an exchange shows up in the API's counts ${p50} after the client's answer at the median, ${p99} at p99 (${load}; target p99 under 1 s).`);
  }
  return `${lines.join('\n')}\n`;
}

/** Rewrites what is generated from the latest figures: the README's Performance section, from bench/README.md, and docs/capacity.md, from bench/results. */
export function publishFigures(root: string): void {
  const readme = join(root, 'README.md');
  const bench = readFileSync(join(root, 'bench/README.md'), 'utf8');
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), 'Performance', performanceSection(bench)));
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/capacity.md'), capacityPlan(readCapacityInputs(root)));
}

