/** The API bench's section of bench/README.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSection } from '../readme-sections.ts';
import type { ReadFigures } from './reads.ts';

/** A p99 limit every read must keep at the largest run. */
export const P99_LIMIT_MS = 200;

const short = (size: number): string => (size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** A kept database's size as a whole (tables and indexes of every run in it), and the exchanges it holds. */
export interface DatabaseSize {
  bytes: number;
  exchanges: number;
}

/**
 * The markdown section: one row per read, p50 / p99 per run size, the growth of p99 from the
 * smallest to the largest run; disk per run filled now, else of the kept database as a whole.
 */
export function apiSection(results: { size: number; bytes: number | null; reads: ReadFigures[] }[], settings: { samples: number }, database: DatabaseSize | null = null): string {
  const sizes = results.map((r) => r.size);
  const smallest = results[0]!;
  const largest = results.at(-1)!;
  const lines = [
    '## API reads',
    '',
    `\`npm run bench:api\` — one run each of ${sizes.map(short).join(', ')} exchanges (50 routes × 10 fields, differences in 5% of exchanges, two noisy fields per route), filled through the store's batch insert; \`shadowdiff api\` (compiled) on embedded Postgres with its default settings, on the same 2 cores. Each read ${settings.samples} times in a row after 3 to warm up; p50 / p99 in ms. The API keeps a run's latency sketches, the signatures and samples its findings are grouped from, and what each earlier run taught noise memory, while the run's stored exchanges (and marks and rules) stay the same: repeated reads of a run at rest do not read them again. The rows "first read after new exchanges" time the read that does: before each of those reads (warm-ups included), 10 more exchanges are stored in the run through the same insert, as a worker's batch would, so what the API kept of the run no longer holds as it is: it reads the latency buckets and the differences changed since the snapshot it kept them at, brings them up to date, and reads the findings' signatures again.`,
    '',
    `| read | ${sizes.map((s) => `${short(s)} p50 / p99`).join(' | ')} | p99 ${short(largest.size)} ÷ ${short(smallest.size)} | p99 at ${short(largest.size)} < ${P99_LIMIT_MS} ms |`,
    `| --- | ${sizes.map(() => '---:').join(' | ')} | ---: | --- |`,
  ];
  for (const [i, read] of smallest.reads.entries()) {
    const cells = results.map((r) => `${ms(r.reads[i]!.p50)} / ${ms(r.reads[i]!.p99)}`);
    const top = largest.reads[i]!.p99;
    lines.push(`| ${read.name} | ${cells.join(' | ')} | ${(top / read.p99).toFixed(2)}× | ${top < P99_LIMIT_MS ? 'met' : 'missed'} |`);
  }
  const measured = results.filter((r) => r.bytes !== null);
  if (measured.length > 0) {
    lines.push('', `Disk (\`pg_database_size\` after \`VACUUM ANALYZE\`, tables and indexes): ${measured.map((r) => `${(r.bytes! / (r.size / 1e6) / 2 ** 30).toFixed(2)} GiB per million exchanges at ${short(r.size)}`).join('; ')}.`);
  } else if (database) {
    lines.push('', `Disk (\`pg_database_size\` of the kept database, filled by an earlier run of the bench and migrated since, tables and indexes): ${(database.bytes / (database.exchanges / 1e6) / 2 ** 30).toFixed(2)} GiB per million exchanges over its ${short(database.exchanges)} exchanges.`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes bench/results/api.json and the section of bench/README.md. */
export function writeApiSection(root: string, results: { size: number; bytes: number | null; reads: ReadFigures[] }[], settings: { samples: number }, database: DatabaseSize | null = null): void {
  const section = apiSection(results, settings, database);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/api.json'), `${JSON.stringify({ date: new Date().toISOString(), ...settings, results, database }, null, 2)}\n`);
  writeSection(join(root, 'bench/README.md'), 'API reads', section);
  process.stdout.write(`\n${section}`);
}
