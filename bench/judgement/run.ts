/**
 * How often are the verdicts right? A labelled corpus (bench/judgement/scenarios.ts) through the
 * real pipeline: tap → BullMQ → worker → Postgres → API → gate, once per noise reference
 * (a secondary, control copies at 20% and 5%, none), idle and with a CPU hog on every core.
 * Every verdict is scored against the labels; the tables go to bench/README.md.
 *
 *   npm run bench:judgement [-- --scale 0.3 --references secondary,none --loads idle --scenarios rename,latency-100 --no-write]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publishFigures } from '../performance.ts';
import { writeSection } from '../readme-sections.ts';
import { CHECKPOINTS, driveCorpus } from './drive.ts';
import { startCpuHog } from '../cpu-hog.ts';
import { startPipeline, startSides } from './pipeline.ts';
import { LOADS, overallTable, REFERENCE_NAMES, REFERENCES, scenarioTable, targetLines, type ConfigurationResult, type Load, type Reference } from './report.ts';
import { SCENARIOS, WARM_UP } from './scenarios.ts';
import { sampleLoopDelay } from './loop-delay.ts';
import { scoreConfiguration, scoreScenario } from './score.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    references: { type: 'string', default: REFERENCES.join(',') },
    loads: { type: 'string', default: LOADS.join(',') },
    scenarios: { type: 'string', default: SCENARIOS.map((s) => s.name).join(',') },
    'no-write': { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
const references = values.references!.split(',') as Reference[];
const loads = values.loads!.split(',') as Load[];
const scenarios = SCENARIOS.filter((s) => values.scenarios!.split(',').includes(s.name));
if (!(scale > 0 && scale <= 1) || references.some((r) => !REFERENCES.includes(r)) || loads.some((l) => !LOADS.includes(l)) || scenarios.length === 0) {
  process.stderr.write(`usage: --scale (0,1] --references ${REFERENCES.join(',')} --loads ${LOADS.join(',')}\n`);
  process.exit(2);
}

const tapArgs = (reference: Reference, secondary: string): string[] =>
  reference === 'secondary' ? ['--secondary', secondary] : reference === 'none' ? [] : ['--control-percentage', reference.split('-')[1]!];

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sd-judgement-'));
const sides = await startSides();
const pipeline = await startPipeline(dir, sides);
let hog: { stop(): void } | undefined;
process.once('exit', () => hog?.stop());
const results: ConfigurationResult[] = [];
try {
  for (const load of loads) {
    hog = load === 'hog' ? startCpuHog() : undefined;
    for (const reference of references) {
      const run = `${reference}-${load}`;
      const started = Date.now();
      const tap = await pipeline.startTap(run, tapArgs(reference, sides.urls.secondary));
      const loopDelay = sampleLoopDelay(tap.metricsUrl);
      const checkpoints = await driveCorpus({ apiUrl: pipeline.apiUrl, tapUrl: tap.url, run, scenarios, scale, afterWarmUp: () => sides.resetTimes() }, (c) =>
        process.stderr.write(`${run}: checkpoint ${c.target} (${Object.keys(c.routes).length} routes)\n`),
      );
      const loopDelayP99Ms = loopDelay.stop();
      await tap.stop();
      const scores = scenarios.map((s) => scoreScenario(s, checkpoints));
      for (const score of scores.filter((s) => s.scenario.latency)) {
        const [own, candidate] = await Promise.all([sides.times(reference === 'secondary' ? 'secondary' : 'primary', score.scenario.name), sides.times('candidate', score.scenario.name)]);
        score.latency.own = own.p50 && own.p99 && candidate.p50 && candidate.p99 ? { ratioP50: candidate.p50 / own.p50, ratioP99: candidate.p99 / own.p99 } : null;
      }
      results.push({ reference, load, scores, overall: scoreConfiguration(scores), checkpoints, loopDelayP99Ms });
      process.stderr.write(`${run}: done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
    hog?.stop();
    hog = undefined;
  }
} finally {
  hog?.stop();
  await pipeline.stop();
  await sides.stop();
  rmSync(dir, { recursive: true, force: true });
}

const raw = join(tmpdir(), `shadowdiff-judgement-${Date.now()}.json`);
writeFileSync(raw, JSON.stringify(results, null, 1));

const exchanges = (group: string): number => Math.round((scenarios.find((s) => s.group === group)?.exchanges ?? 0) * scale);
const section = [
  '## Judgement',
  '',
  `\`npm run bench:judgement\` — a labelled corpus of ${scenarios.length} scenarios (bench/judgement/scenarios.ts), one route each, served by a primary, a candidate and a secondary in processes of their own that differ only where a scenario injects a difference. It runs through the real pipeline: \`shadowdiff tap\` → BullMQ on a local redis-server → \`shadowdiff worker\` → embedded Postgres → \`shadowdiff api\` and its gate. Each configuration is one run: a noise reference (${references.map((r) => REFERENCE_NAMES[r]).join(', ')}), on an idle machine and with a CPU hog spinning on both cores.`,
  '',
  `Every route carries the noise a real service has (a timestamp and a request id in the body; date, etag and x-request-id headers). Body and status scenarios send ${exchanges('regression')} exchanges per route, latency scenarios ${exchanges('latency')} (log-normal service times of a typical web API, p50 30 ms and p99 about 96 ms, and one fast service, p99 about 26 ms); four clients at a time, routes interleaved; verdicts are read at checkpoints (${CHECKPOINTS.join(', ')} exchanges). Each tap first gets ${WARM_UP.exchanges} exchanges on a route of its own, as a long-running tap is warm (a fresh tap's first seconds carry its shadow thread's start-up stalls into the shadow timings). The gate runs with route limits of 1% (real differences, status mismatches, candidate errors, judged by their 95% upper bound) and the default p99 limit of ×1.5 beyond a 10 ms tolerance, so a route with any injected regression should fail and every other route should pass.`,
  '',
  '- **Recall**: regressions with a labelled field called real. **Noise called real**: fields labelled noise (and seen to differ) called real; **undecided**: still insufficient data at the end.',
  '- **Exchanges to right verdict**: the checkpoint from which the route’s verdict stayed right (regression real; every noise field decided noise; latency judged as the truth says).',
  '- **Gate right**: failed for the injected reason, or passed when nothing was injected. The true p99 ratio comes from the services’ latency models; the measured one is candidate ÷ reference on the basis shown; the services’ own is what the candidate and reference processes timed themselves (request in to response finished), on the same crowded cores.',
  '- **Tap loop delay**: how late the tap’s shadow thread noticed what was ready for it (`shadowdiff_tap_shadow_loop_delay_seconds`, p99 of each 5 s window; the median of the run’s windows and the highest). Every shadow timing includes such a delay on both sides alike, adding the same milliseconds to each and so pulling a measured p99 ratio towards 1.',
  '',
  overallTable(results),
  '',
  'Targets:',
  '',
  ...targetLines(results),
  '',
  ...references.flatMap((r) => [scenarioTable(r, results), '']),
].join('\n');

process.stdout.write(`${section}\n\nraw results: ${raw}\n`);
if (!values['no-write']) {
  writeSection(join(root, 'bench/README.md'), 'Judgement', section);
  publishFigures(root);
}
