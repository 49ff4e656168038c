import { classifyField, type NoiseThresholds } from '@shadowdiff/diff';
import { listFieldStats, listRouteStats, type FieldStats, type Pool, type RouteStats } from '@shadowdiff/store';

const pct = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);
/** Status-code mismatches and candidate errors are never noise. */
const NEVER_NOISE = new Set(['status', 'outcome']);

function verdictOf(field: FieldStats, route: RouteStats | undefined, secondary: FieldStats | undefined, thresholds: Partial<NoiseThresholds>): string {
  if (NEVER_NOISE.has(field.field)) return 'real';
  if (!route || route.secondaryExchanges === 0) return 'no secondary';
  return classifyField(
    {
      exchanges: route.exchanges,
      candidateDiffs: field.differences - field.ignored,
      secondaryDiffs: (secondary?.differences ?? 0) - (secondary?.ignored ?? 0),
      secondaryExchanges: route.secondaryExchanges,
    },
    thresholds,
  ).verdict.replace('_', ' ');
}

/** Prints a run's routes and most differing fields (with their noise verdict) as plain text tables. */
export async function printRunSummary(pool: Pool, runId: string, out: NodeJS.WritableStream, thresholds: Partial<NoiseThresholds> = {}): Promise<void> {
  const routes = await listRouteStats(pool, runId);
  const allFields = await listFieldStats(pool, runId);
  const fields = allFields.filter((f) => f.side === 'candidate' && f.differences > f.ignored);
  const width = Math.max(5, ...routes.map((r) => r.route.length));
  out.write(`\n${'route'.padEnd(width)}  exchanges  differing  status≠  cand.errors\n`);
  for (const r of routes) {
    out.write(
      `${r.route.padEnd(width)}  ${String(r.exchanges).padStart(9)}  ${pct(r.withDifferences, r.exchanges).padStart(9)}  ` +
        `${String(r.statusMismatches).padStart(7)}  ${String(r.candidateErrors).padStart(11)}\n`,
    );
  }
  if (fields.length === 0) {
    out.write('\nNo differing fields.\n');
    return;
  }
  const rows = fields.map((f) => {
    const route = routes.find((r) => r.route === f.route);
    const secondary = allFields.find((s) => s.side === 'secondary' && s.route === f.route && s.field === f.field);
    return { f, exchanges: route?.exchanges ?? 0, verdict: verdictOf(f, route, secondary, thresholds) };
  });
  // Real differences first: they are what a release engineer acts on.
  rows.sort((a, b) => Number(a.verdict !== 'real') - Number(b.verdict !== 'real') || b.f.differences - a.f.differences);
  out.write('\nDiffering fields (candidate vs primary; noise judged against the secondary):\n');
  for (const { f, exchanges, verdict } of rows.slice(0, 30)) {
    out.write(`  ${verdict.padEnd(17)} ${f.route}  ${f.field}  ${f.differences - f.ignored}/${exchanges} (${pct(f.differences - f.ignored, exchanges)})\n`);
  }
  if (rows.length > 30) out.write(`  … and ${rows.length - 30} more\n`);
}
