import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseThresholdsFile, type ApiRun, type FindingComparison, type RouteSummary, type RunList } from '@shadowdiff/api';
import { findingLine } from '../summary.ts';
import { addApiOptions, createApiClient, runPath } from '../api-client.ts';

type Flags = { api?: string; config?: string; json?: boolean };

const pct = (value: number): string => `${(100 * value).toFixed(1)}%`;
const out = (text: string): boolean => process.stdout.write(text);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function listRuns(flags: Flags): Promise<void> {
  const { items } = await createApiClient(flags).json<RunList>('GET', '/runs?summary=true');
  if (flags.json) return void out(`${JSON.stringify(items, null, 2)}\n`);
  if (items.length === 0) return void out('No runs yet.\n');
  out(
    table(
      ['run', 'state', 'kept', 'exchanges', 'real diffs', 'gate', 'primary → candidate', 'created'],
      items.map((r) => [
        r.name,
        r.state,
        r.kept ? 'kept' : '-',
        String(r.exchanges),
        r.realDifferenceRate === null || r.realDifferenceRate === undefined ? '-' : pct(r.realDifferenceRate),
        r.verdict ?? '-',
        `${r.primaryLabel ?? '?'} → ${r.candidateLabel ?? '?'}`,
        r.createdAt.slice(0, 19).replace('T', ' '),
      ]),
    ),
  );
  // An active run whose results fall behind its traffic says so, under the table.
  for (const r of items) if (r.resultLag?.behind) out(`warning: run ${r.name}: ${r.resultLag.warning}\n`);
}

async function showRun(run: string, flags: Flags): Promise<void> {
  const client = createApiClient(flags);
  const body = await client.json<{ run: { name: string }; items: RouteSummary[] }>('GET', runPath(run, '/endpoints'));
  if (flags.json) return void out(`${JSON.stringify(body, null, 2)}\n`);
  out(`run ${body.run.name}\n\n`);
  out(
    table(
      ['route', 'exchanges', 'real diff.', 'status≠', 'cand.errors', 'p99 ratio'],
      body.items.map((e) => [
        e.route,
        String(e.exchanges),
        pct(e.differenceRate),
        String(e.statusMismatches),
        String(e.candidateErrors),
        e.latency.ratio.p99 === null ? '-' : `×${e.latency.ratio.p99.toFixed(2)}`,
      ]),
    ),
  );
}

/** `shadowdiff diff-runs <baseline> <run>`: the run's findings against the baseline's. */
async function diffRuns(baseline: string, run: string, flags: Flags): Promise<void> {
  const body = await createApiClient(flags).json<FindingComparison & { run: { name: string }; baseline: { name: string } }>('GET', `${runPath(run, '/findings/compare')}?baseline=${encodeURIComponent(baseline)}`);
  if (flags.json) return void out(`${JSON.stringify(body, null, 2)}\n`);
  out(`${body.run.name} against ${body.baseline.name}\n`);
  if (body.new.length + body.gone.length + body.changed.length === 0) return void out('\nNo finding is new, gone or changed.\n');
  if (body.new.length > 0) out(`\nNew:\n${body.new.map(findingLine).join('')}`);
  if (body.gone.length > 0) out(`\nGone:\n${body.gone.map(findingLine).join('')}`);
  if (body.changed.length > 0) {
    out('\nChanged:\n');
    for (const c of body.changed) {
      const verdict = c.before.verdict === c.after.verdict ? c.after.verdict : `${c.before.verdict} → ${c.after.verdict}`;
      const fields = [...(c.fieldsAdded.length > 0 ? [`now also ${c.fieldsAdded.join(', ')}`] : []), ...(c.fieldsRemoved.length > 0 ? [`no longer ${c.fieldsRemoved.join(', ')}`] : [])];
      out(`  ${verdict.replace(/_/g, ' ').padEnd(17)} ${c.sentence}  ${pct(c.before.rate)} → ${pct(c.after.rate)}${fields.length > 0 ? ` (${fields.join('; ')})` : ''}\n`);
    }
  }
}

/** `shadowdiff runs`: list, create, show, close and keep runs through the API. */
export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('list, create, show, close and keep comparison runs (through the API)');
  addApiOptions(runs.command('list', { isDefault: true }).description('list runs, newest first').option('--json', 'print JSON')).action(listRuns);
  addApiOptions(
    runs
      .command('create <name>')
      .description('create a run before sending traffic under its name')
      .option('--service <name>', 'the service under validation')
      .option('--primary-label <label>', 'the production version, e.g. v41')
      .option('--candidate-label <label>', 'the candidate version, e.g. v42')
      .option('--thresholds <file>', 'gate thresholds (YAML) stored with the run'),
  ).action(async (name: string, flags: Flags & { service?: string; primaryLabel?: string; candidateLabel?: string; thresholds?: string }) => {
    const thresholds = flags.thresholds ? parseThresholdsFile(readFileSync(flags.thresholds, 'utf8'), flags.thresholds) : undefined;
    const run = await createApiClient(flags).json<ApiRun>('POST', '/runs', {
      name,
      ...(flags.service ? { service: flags.service } : {}),
      ...(flags.primaryLabel ? { primaryLabel: flags.primaryLabel } : {}),
      ...(flags.candidateLabel ? { candidateLabel: flags.candidateLabel } : {}),
      ...(thresholds ? { thresholds } : {}),
    });
    out(`created run ${run.name} (${run.id})\n`);
  });
  addApiOptions(runs.command('show <run>').description("a run's endpoints: exchanges, real differences, errors, latency").option('--json', 'print JSON')).action(showRun);
  addApiOptions(runs.command('close <run>').description('close a run')).action(async (run: string, flags: Flags) => {
    const closed = await createApiClient(flags).json<ApiRun>('POST', runPath(run, '/close'));
    out(`closed run ${closed.name}\n`);
  });
  addApiOptions(
    runs
      .command('keep <run>')
      .description('keep a run (a baseline the gate compares with): pruning never removes its exchanges')
      .option('--unkeep', 'no longer keep it: its old exchanges go with the next prune'),
  ).action(async (run: string, flags: Flags & { unkeep?: boolean }) => {
    const changed = await createApiClient(flags).json<ApiRun>(flags.unkeep ? 'DELETE' : 'PUT', runPath(run, '/keep'));
    out(flags.unkeep ? `run ${changed.name} is no longer kept\n` : `kept run ${changed.name}: pruning leaves its exchanges\n`);
  });
}

/** `shadowdiff diff-runs`: what changed between two runs, as findings. */
export function registerDiffRuns(program: Command): void {
  addApiOptions(
    program
      .command('diff-runs <baseline> <run>')
      .description("the run's findings against the baseline's: new, gone, changed in rate or verdict (through the API)")
      .option('--json', 'print JSON'),
  ).action(diffRuns);
}
