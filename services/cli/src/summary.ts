import type { RouteSummary, Finding } from '@shadowdiff/api';
import type { ApiClient } from './api-client.ts';

const pct = (rate: number): string => `${(100 * rate).toFixed(1)}%`;

/** One finding on one line: verdict, sentence, exchanges and rate per route. */
export function findingLine(f: Pick<Finding, 'verdict' | 'title' | 'exchanges' | 'routes'>): string {
  return `  ${f.verdict.replace('_', ' ').padEnd(17)} ${f.title}  — ${f.exchanges} exchanges: ${f.routes.map((r) => `${r.route} ${pct(r.rate)}`).join(', ')}\n`;
}

/**
 * Prints a run as the API judges it: per route the real-difference rate (noise, rules and triage
 * left out), status mismatches, candidate errors and latency ratio; then the findings, real
 * ones first, noise on one line.
 */
export async function printRunSummary(client: ApiClient, run: string, out: NodeJS.WritableStream): Promise<void> {
  const runPath = `/runs/${encodeURIComponent(run)}`;
  const { items: routes } = await client.json<{ items: RouteSummary[] }>('GET', `${runPath}/endpoints`);
  const width = Math.max(5, ...routes.map((r) => r.route.length));
  out.write(`\n${'route'.padEnd(width)}  exchanges  real diffs  status≠  cand.errors  p99 ratio\n`);
  for (const r of routes) {
    out.write(
      `${r.route.padEnd(width)}  ${String(r.exchanges).padStart(9)}  ${pct(r.differenceRate).padStart(10)}  ` +
        `${String(r.statusMismatches).padStart(7)}  ${String(r.candidateErrors).padStart(11)}  ` +
        `${(r.latency.ratio.p99 === null ? '-' : `${r.latency.ratio.p99.toFixed(2)}x`).padStart(9)}\n`,
    );
  }
  const bases = new Set(routes.map((r) => r.latency.basis));
  if (bases.size > 0) {
    const said = { secondary: 'candidate ÷ secondary, sent together from the same thread', control: 'candidate ÷ control copies of the primary, sent together', primary: 'candidate ÷ served primary, timed on another thread: indicative only' };
    out.write(`(p99 ratio: ${[...bases].map((b) => said[b]).join('; ')})\n`);
  }
  const { items: findings } = await client.json<{ items: Finding[] }>('GET', `${runPath}/findings`);
  if (findings.length === 0) {
    out.write('\nNo differences.\n');
    return;
  }
  // What changed, one line per finding (fields one level down: the API's fields view); noise on one line.
  const judged = findings.filter((f) => f.verdict !== 'noise' && f.verdict !== 'ignored');
  const noise = findings.filter((f) => f.verdict === 'noise');
  out.write(`\nFindings (differences grouped by cause; their fields: /api/v1${runPath}/endpoints/<route>/fields):\n`);
  for (const f of judged) out.write(findingLine(f));
  if (noise.length > 0) out.write(`  ${'noise'.padEnd(17)} ${noise.map((f) => f.title).join('; ')}\n`);
}
