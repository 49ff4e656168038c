import type { Command } from 'commander';
import { ShadowdiffError, createLogger } from '@shadowdiff/core';
import { createPool, migrate, pruneOlderThan, type PruneReport } from '@shadowdiff/store';
import { parseDuration } from '../duration.ts';
import { resolveInfra } from '../infra.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';

const DAY_MS = 86_400_000;

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** The report as a person reads it. */
export function describePrune(report: PruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = [`${report.dryRun ? 'Dry run: nothing removed. ' : ''}Captures older than ${report.cutoff}:`];
  if (report.days.length === 0) lines.push('  no day to prune');
  for (const d of report.days) {
    const kept = d.keptExchanges > 0 ? ` (kept ${d.keptExchanges} exchanges of kept runs)` : '';
    lines.push(`  ${d.day}: ${verb} ${d.exchanges} exchanges, ${d.differences} differences, ${mb(d.bytes)}${kept}`);
  }
  const stray = report.defaultPartition;
  if (stray.exchanges > 0 || stray.left > 0) {
    const left = stray.left > 0 ? `; ${stray.left} more left for the next prune` : '';
    lines.push(`  default partition (days without a partition of their own): ${verb} ${stray.exchanges} exchanges, ${stray.differences} differences${left}`);
  }
  lines.push(
    `${report.dryRun ? 'Would remove' : 'Removed'} ${report.days.length} days, ${report.exchanges} exchanges, ${report.differences} differences, ${mb(report.bytes)}; ` +
      `${report.runs.length} runs left without exchanges${report.runs.length > 0 ? `: ${report.runs.join(', ')}` : ''}`,
  );
  if (report.keptRuns.length > 0) lines.push(`Kept runs, never pruned: ${report.keptRuns.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `shadowdiff prune`: drop the days of exchanges older than an age, kept runs excepted. */
export function registerPrune(program: Command): void {
  addServiceOptions(
    program
      .command('prune')
      .description('remove exchanges and differences older than an age by whole days, and the runs left empty; kept runs stay')
      .option('--older-than <duration>', 'age of the captures to remove: 30d, 12h, 2w (default: retention.days)')
      .option('--dry-run', 'say what would be removed, remove nothing')
      .option('--json', 'print the report as JSON'),
    ['stateDir', 'logLevel'],
  ).action(async (flags: Record<string, unknown> & { olderThan?: string; dryRun?: boolean; json?: boolean }) => {
    const config = configFromFlags(flags);
    const days = config.retention.days;
    if (flags.olderThan === undefined && days === undefined) {
      throw new ShadowdiffError('bad_request', 'say how old the captures to remove are: --older-than 30d, or set retention.days', 400);
    }
    const olderThanMs = flags.olderThan === undefined ? days! * DAY_MS : parseDuration(flags.olderThan);
    const logger = createLogger({ level: config.log.level, stderr: true });
    const infra = await resolveInfra(config, logger, 'prune', { postgres: true, redis: false });
    const pool = createPool(infra.databaseUrl, { max: 2, logger });
    try {
      await migrate(pool, { logger });
      const report = await pruneOlderThan(pool, { olderThanMs, dryRun: flags.dryRun === true });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : describePrune(report));
    } finally {
      await pool.end();
      await infra.stop();
    }
  });
}
