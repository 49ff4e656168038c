/**
 * The `## Compiled build` section of bench/README.md, from bench/results/build.json: the table,
 * then in words what the rounds show, whichever way they went.
 */
import type { Spread } from '../tap/targets.ts';

/** One round: [compiled, sources] for each measure. */
export interface BuildRound {
  startupMs: number[];
  cpuMicrosPerRequest: number[];
}

/** What `npm run bench:build` writes to bench/results/build.json. */
export interface BuildResults {
  date: string;
  rounds: number;
  rate: number;
  seconds: number;
  results: BuildRound[];
  figures: { startupMs: Spread[]; cpuMicrosPerRequest: Spread[]; startupRatio: Spread; cpuRatio: Spread };
}

const fmt = (s: Spread, digits: number, unit = ''): string => `${s.median.toFixed(digits)}${unit} (${s.low.toFixed(digits)}–${s.high.toFixed(digits)})`;
const within = (value: number, s: Spread): boolean => value >= s.low && value <= s.high;

/** Compiled ÷ sources per round, said plainly: lower in every round, higher or equal in every round, or both ways. */
function comparison(ratio: Spread, lower: string, notLower: string, mixed: string): string {
  if (ratio.high < 1) return lower;
  if (ratio.low >= 1) return notLower;
  return mixed;
}

/** What the CPU figures say: whether the compiled tap saved anything, and whether the difference stands out of the rounds' spread. */
function cpuFinding(figures: BuildResults['figures']): string {
  const [compiled, sources] = figures.cpuMicrosPerRequest as [Spread, Spread];
  const ratio = `compiled ÷ sources ${figures.cpuRatio.low.toFixed(2)}–${figures.cpuRatio.high.toFixed(2)}× across rounds`;
  const direction = comparison(
    figures.cpuRatio,
    `The compiled tap's serving thread used less CPU per request than the sources' in every round (${ratio}).`,
    `The expected saving per request did not show: in no round did the compiled tap's serving thread use less CPU per request than the sources' (${ratio}, median ${figures.cpuRatio.median.toFixed(2)}×).`,
    `Per request, the compiled tap's serving thread used less CPU than the sources' in some rounds and more in others (${ratio}).`,
  );
  const gap = (100 * (compiled.median - sources.median)) / sources.median;
  const spread =
    within(compiled.median, sources) && within(sources.median, compiled)
      ? `The medians (${compiled.median.toFixed(1)} and ${sources.median.toFixed(1)} µs, ${gap >= 0 ? '+' : ''}${gap.toFixed(0)}%) each lie within the other's range over the rounds: the difference is within the rounds' spread.`
      : `The medians (${compiled.median.toFixed(1)} and ${sources.median.toFixed(1)} µs, ${gap >= 0 ? '+' : ''}${gap.toFixed(0)}%) lie outside each other's range over the rounds.`;
  return `${direction} ${spread} Once loaded, both run the same JavaScript (tsx compiles each module once, on load), so what the compiled build saves shows at start-up.`;
}

/** The section, heading included. */
export function buildSection(results: BuildResults): string {
  const { figures, rounds, rate } = results;
  const startup = comparison(
    figures.startupRatio,
    `Start-up: the compiled binary was ready sooner in every round (median ${figures.startupRatio.median.toFixed(2)}× the sources' time, ${figures.startupRatio.low.toFixed(2)}–${figures.startupRatio.high.toFixed(2)}× across rounds).`,
    `Start-up: the compiled binary was not ready sooner in any round (median ${figures.startupRatio.median.toFixed(2)}× the sources' time, ${figures.startupRatio.low.toFixed(2)}–${figures.startupRatio.high.toFixed(2)}× across rounds).`,
    `Start-up: the compiled binary was ready sooner in some rounds only (median ${figures.startupRatio.median.toFixed(2)}× the sources' time, ${figures.startupRatio.low.toFixed(2)}–${figures.startupRatio.high.toFixed(2)}× across rounds).`,
  );
  return [
    '## Compiled build',
    '',
    `\`npm run bench:build\` (${results.date.slice(0, 10)}, ${rounds} rounds, median and range): the \`shadowdiff\` binary compiled to JavaScript, which \`npm start\` and the Docker image run, against the same commands run from the TypeScript sources through tsx, in alternating order in each round.`,
    '',
    '| | compiled (dist/) | sources (tsx) | compiled ÷ sources |',
    '| --- | ---: | ---: | ---: |',
    `| \`shadowdiff up\` start-up, ms (until ready, on two upstreams) | ${fmt(figures.startupMs[0]!, 0)} | ${fmt(figures.startupMs[1]!, 0)} | ${fmt(figures.startupRatio, 2, '×')} |`,
    `| tap serving thread, CPU µs per request (${rate} req/s, 100% mirrored) | ${fmt(figures.cpuMicrosPerRequest[0]!, 1)} | ${fmt(figures.cpuMicrosPerRequest[1]!, 1)} | ${fmt(figures.cpuRatio, 2, '×')} |`,
    '',
    startup,
    '',
    cpuFinding(figures),
    '',
  ].join('\n');
}
