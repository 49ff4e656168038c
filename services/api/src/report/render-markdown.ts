import { mdCell, renderGateMarkdown } from '../gate/markdown.ts';
import type { ReleaseReport } from './build-report.ts';
import { millis, percent, shortValue, times } from './format.ts';

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function routesTable(report: ReleaseReport): string[] {
  const out = [
    '| route | exchanges | real differences | rate | status ≠ | candidate errors | p99 reference | p99 candidate | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const e of report.endpoints) {
    out.push(
      `| ${mdCell(e.route)} | ${e.exchanges} | ${e.differingExchanges} | ${percent(e.differenceRate)} | ${e.statusMismatches} | ${e.candidateErrors} | ` +
        `${millis(e.latency.reference.p99)} | ${millis(e.latency.candidate.p99)} | ${times(e.latency.ratio.p99)} |`,
    );
  }
  return out;
}

function statusTable(report: ReleaseReport): string[] {
  const { primary, candidate, cells } = report.statusMatrix;
  if (cells.length === 0) return ['No exchanges.'];
  const count = (p: string, c: string): number => cells.find((x) => x.primary === p && x.candidate === c)?.count ?? 0;
  return [
    `| primary ↓ / candidate → | ${candidate.map(mdCell).join(' | ')} |`,
    `| --- | ${candidate.map(() => '---:').join(' | ')} |`,
    ...primary.map((p) => `| ${mdCell(p)} | ${candidate.map((c) => (p === c ? `${count(p, c)}` : `**${count(p, c)}**`)).join(' | ')} |`),
  ];
}

function latencyTable(report: ReleaseReport): string[] {
  const row = (name: string, l: ReleaseReport['overall']['latency']): string =>
    `| ${mdCell(name)} | ${l.basis} | ${millis(l.reference.p50)} / ${millis(l.candidate.p50)} | ${millis(l.reference.p95)} / ${millis(l.candidate.p95)} | ${millis(l.reference.p99)} / ${millis(l.candidate.p99)} | ${times(l.ratio.p99)} |`;
  return [
    'The candidate is compared with a reference timed alike: the secondary, or control copies of the primary, sent with it from the same thread. A basis of `primary` is the served primary, timed on another thread under other load: indicative only, not judged by the gate.',
    '',
    '| scope | basis | p50 reference / candidate | p95 reference / candidate | p99 reference / candidate | p99 ratio |',
    '| --- | --- | --- | --- | --- | ---: |',
    row('whole run', report.overall.latency),
    ...report.endpoints.map((e) => row(e.route, e.latency)),
  ];
}

/** What changed, one line per finding; noise on one line. */
function findingsList(report: ReleaseReport): string[] {
  const judged = report.findings.filter((f) => f.verdict !== 'noise' && f.verdict !== 'ignored');
  const noise = report.findings.filter((f) => f.verdict === 'noise');
  const lines = judged.map((f) => `- **${mdCell(f.title)}** — ${f.verdict.replace('_', ' ')}, ${f.exchanges} exchanges: ${f.routes.map((r) => `${code(r.route)} ${percent(r.rate)}`).join(', ')}`);
  if (lines.length === 0) lines.push('Nothing changed beyond noise.');
  if (noise.length > 0) lines.push(`- Noise: ${noise.map((f) => mdCell(f.title)).join('; ')}`);
  return lines;
}

/** The release validation report as markdown. */
export function renderReportMarkdown(report: ReleaseReport): string {
  const { run } = report;
  const out: string[] = [
    `# Release validation report: ${mdCell(run.name)}`,
    '',
    `${run.service ? `Service ${mdCell(run.service)}, ` : ''}primary${run.primaryLabel ? ` ${mdCell(run.primaryLabel)}` : ''} vs candidate${run.candidateLabel ? ` ${mdCell(run.candidateLabel)}` : ''}; ` +
      `${report.overall.exchanges} exchanges; generated ${report.generatedAt}.`,
    '',
    '## Verdict',
    '',
    renderGateMarkdown(report.gate, '###'),
    '## Findings',
    '',
    ...findingsList(report),
    '',
    '## Endpoints',
    '',
    ...routesTable(report),
    '',
    '## Top differing fields',
    '',
  ];
  if (report.topFields.length === 0) out.push('No field differs for real.');
  for (const f of report.topFields) {
    out.push(`- ${code(f.route)} ${code(f.field)}: ${f.differences} exchanges (${percent(f.rate)}), ${f.kinds.join(', ')} — ${f.verdict}`);
    for (const x of f.examples) out.push(`  - ${code(x.path)} ${code(shortValue(x.primaryValue))} → ${code(shortValue(x.candidateValue))} (exchange ${x.exchangeId})`);
  }
  out.push('', '## Status codes (primary × candidate)', '', ...statusTable(report), '', '## Latency', '', ...latencyTable(report), '', '## Schema drift', '');
  const drift: [string, ReleaseReport['schemaDrift']['added']][] = [
    ['Fields added by the candidate', report.schemaDrift.added],
    ['Fields removed by the candidate', report.schemaDrift.removed],
    ['Fields whose type changed', report.schemaDrift.typeChanged],
  ];
  for (const [title, items] of drift) {
    out.push(`### ${title}`, '', ...(items.length === 0 ? ['None.'] : items.map((d) => `- ${code(d.route)} ${code(d.field)}: ${d.differences} exchanges (${d.verdict})`)), '');
  }
  const v = report.noise.verdicts;
  out.push(
    '## Noise summary',
    '',
    `Differing fields: ${v.real} real, ${v.insufficient_data} with insufficient data, ${v.noise} noise, ${v.expected} expected, ${v.ignored} ignored.`,
    '',
  );
  for (const f of report.noise.fields) {
    const why = f.basis === 'triage' ? `marked ${f.verdict}: ${f.reason}` : f.basis === 'rule' ? `rule ${f.rule ?? '(when diffed)'}` : `candidate ${percent(f.candidateRate)} vs secondary ${percent(f.secondaryRate)}`;
    out.push(`- ${code(f.route)} ${code(f.field)}: ${f.verdict} (${mdCell(why)})`);
  }
  if (report.noise.suspected.length > 0) {
    out.push('', 'Counted as real although every differing value looked volatile (UUIDs, timestamps, tokens); add a rule or mark them if they are noise: ' + report.noise.suspected.map((s) => `${code(s.route)} ${code(s.field)}`).join(', '));
  }
  out.push('');
  return out.join('\n');
}
