import { listFieldStats, listRouteStats, type Pool } from '@shadowdiff/store';

const pct = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

/** Prints a run's routes and most differing fields as plain text tables. */
export async function printRunSummary(pool: Pool, runId: string, out: NodeJS.WritableStream): Promise<void> {
  const routes = await listRouteStats(pool, runId);
  const fields = (await listFieldStats(pool, runId)).filter((f) => f.side === 'candidate' && f.differences > f.ignored);
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
  out.write('\nDiffering fields (candidate vs primary):\n');
  for (const f of fields.slice(0, 25)) {
    const exchanges = routes.find((r) => r.route === f.route)?.exchanges ?? 0;
    out.write(`  ${f.route}  ${f.field}  ${f.differences - f.ignored}/${exchanges} (${pct(f.differences - f.ignored, exchanges)})\n`);
  }
  if (fields.length > 25) out.write(`  … and ${fields.length - 25} more\n`);
}
