import type { EndpointSummary, FieldItem } from '@shadowdiff/api';
import type { ApiClient } from './api-client';

const pct = (rate: number): string => `${(100 * rate).toFixed(1)}%`;
const VERDICT_ORDER = ['real', 'insufficient_data', 'noise', 'expected', 'ignored'];

/**
 * Prints a run as the API judges it: per route the real-difference rate (noise, rules and triage
 * left out), status mismatches, candidate errors and latency ratio; then the differing fields
 * with their verdicts, real ones first.
 */
export async function printRunSummary(client: ApiClient, run: string, out: NodeJS.WritableStream): Promise<void> {
  const runPath = `/runs/${encodeURIComponent(run)}`;
  const { items: routes } = await client.json<{ items: EndpointSummary[] }>('GET', `${runPath}/endpoints`);
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
  const fields: { route: string; field: FieldItem }[] = [];
  for (const r of routes) {
    const { items } = await client.json<{ items: FieldItem[] }>('GET', `${runPath}/endpoints/${encodeURIComponent(r.route)}/fields?examples=0`);
    for (const field of items) if (field.differences > 0) fields.push({ route: r.route, field });
  }
  if (fields.length === 0) {
    out.write('\nNo differing fields.\n');
    return;
  }
  fields.sort(
    (a, b) =>
      VERDICT_ORDER.indexOf(a.field.classification.verdict) - VERDICT_ORDER.indexOf(b.field.classification.verdict) ||
      b.field.differences - a.field.differences,
  );
  out.write('\nDiffering fields (candidate vs primary; noise judged against the secondary):\n');
  for (const { route, field } of fields.slice(0, 30)) {
    const verdict = field.classification.verdict.replace('_', ' ');
    out.write(`  ${verdict.padEnd(17)} ${route}  ${field.field}  ${field.differences} (${pct(field.rate)})\n`);
  }
  if (fields.length > 30) out.write(`  … and ${fields.length - 30} more\n`);
}
