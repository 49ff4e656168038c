import type { GateCheck } from '../gate/evaluate.ts';
import type { ReleaseReport } from './build-report.ts';
import { millis, percent, shortValue, times } from './format.ts';
import { barChart, esc, heatmap } from './svg.ts';

const PRIMARY = '#5c6bc0';
const CANDIDATE = '#ef6c00';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0}th,td{border:1px solid #e1e4e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;font-size:18px;color:#fff}.pass{background:#2e7d32}.fail{background:#c62828}
.muted{color:#666}.ok{color:#2e7d32}.bad{color:#c62828}svg{max-width:100%;height:auto;font:12px system-ui,sans-serif}svg .small{font-size:11px;fill:#444}
ul{margin:4px 0 8px 20px;padding:0}`;

const checkRow = (scope: string, c: GateCheck): string =>
  `<tr><td>${esc(scope)}</td><td class="${c.passed ? 'ok' : 'bad'}">${c.passed ? 'pass' : 'FAIL'}</td><td>${esc(c.check)}</td><td>${esc(c.message)}</td></tr>`;

function verdictSection(r: ReleaseReport): string {
  const g = r.gate;
  const reasons = g.reasons.length === 0 ? '<p class="ok">Every threshold is met.</p>' : `<ul>${g.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  const rows = [...g.overall.checks.map((c) => checkRow('run', c)), ...g.routes.flatMap((route) => route.checks.map((c) => checkRow(route.route, c)))];
  return (
    `<section id="verdict"><h2>Verdict</h2><p><span class="verdict ${g.verdict}">${g.verdict === 'pass' ? 'PASS' : 'FAIL'}</span>` +
    `${g.baseline ? ` <span class="muted">baseline run ${esc(g.baseline.name)}</span>` : ''}</p>${reasons}` +
    `<details><summary>Every check (rate bounds at ${g.thresholds.confidence} confidence)</summary><table><tr><th>scope</th><th></th><th>check</th><th>result</th></tr>${rows.join('')}</table></details></section>`
  );
}

function routesSection(r: ReleaseReport): string {
  const rows = r.endpoints
    .map(
      (e) =>
        `<tr><td><code>${esc(e.route)}</code></td><td class="n">${e.exchanges}</td><td class="n">${e.differingExchanges}</td><td class="n">${percent(e.differenceRate)}</td>` +
        `<td class="n">${e.statusMismatches}</td><td class="n">${e.candidateErrors}</td><td class="n">${millis(e.latency.reference.p99)}</td><td class="n">${millis(e.latency.candidate.p99)}</td></tr>`,
    )
    .join('');
  const chart = barChart(
    r.endpoints.map((e) => ({ label: e.route, bars: [{ value: e.differenceRate, color: '#c62828', text: percent(e.differenceRate) }] })),
    { title: 'Real-difference rate per endpoint', max: 1 },
  );
  return (
    `<section id="endpoints"><h2>Endpoints</h2><table><tr><th>route</th><th>exchanges</th><th>real differences</th><th>rate</th><th>status ≠</th><th>candidate errors</th><th>p99 reference</th><th>p99 candidate</th></tr>${rows}</table>` +
    `<h3>Real-difference rate</h3>${chart}</section>`
  );
}

function findingsSection(r: ReleaseReport): string {
  const judged = r.findings.filter((f) => f.verdict !== 'noise' && f.verdict !== 'ignored');
  const noise = r.findings.filter((f) => f.verdict === 'noise');
  const rows = judged
    .map((f) => `<tr><td>${esc(f.title)}</td><td>${esc(f.verdict.replace('_', ' '))}</td><td class="n">${f.exchanges}</td><td>${f.routes.map((x) => `<code>${esc(x.route)}</code> ${percent(x.rate)}`).join('<br>')}</td></tr>`)
    .join('');
  const table = judged.length === 0 ? '<p class="ok">Nothing changed beyond noise.</p>' : `<table><tr><th>finding</th><th>verdict</th><th>exchanges</th><th>routes (rate)</th></tr>${rows}</table>`;
  const quiet = noise.length === 0 ? '' : `<p class="muted">Noise: ${noise.map((f) => esc(f.title)).join('; ')}</p>`;
  return `<section id="findings"><h2>Findings</h2><p class="muted">Differences grouped by cause; their fields are listed below.</p>${table}${quiet}</section>`;
}

function fieldsSection(r: ReleaseReport): string {
  if (r.topFields.length === 0) return '<section id="top-fields"><h2>Top differing fields</h2><p>No field differs for real.</p></section>';
  const rows = r.topFields
    .map((f) => {
      const examples = f.examples
        .map((x) => `<li><code>${esc(x.path)}</code>: <code>${esc(shortValue(x.primaryValue))}</code> → <code>${esc(shortValue(x.candidateValue))}</code> <span class="muted">exchange ${esc(x.exchangeId)}</span></li>`)
        .join('');
      return `<tr><td><code>${esc(f.route)}</code></td><td><code>${esc(f.field)}</code></td><td class="n">${f.differences}</td><td class="n">${percent(f.rate)}</td><td>${esc(f.kinds.join(', '))}</td><td>${esc(f.verdict)}</td><td><ul>${examples}</ul></td></tr>`;
    })
    .join('');
  return `<section id="top-fields"><h2>Top differing fields</h2><table><tr><th>route</th><th>field</th><th>exchanges</th><th>rate</th><th>kinds</th><th>verdict</th><th>examples (primary → candidate)</th></tr>${rows}</table></section>`;
}

function statusSection(r: ReleaseReport): string {
  const { primary, candidate, cells } = r.statusMatrix;
  if (cells.length === 0) return '<section id="status-matrix"><h2>Status codes</h2><p>No exchanges.</p></section>';
  const count = (p: string, c: string): number => cells.find((x) => x.primary === p && x.candidate === c)?.count ?? 0;
  const table =
    `<table><tr><th>primary ↓ / candidate →</th>${candidate.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>` +
    primary.map((p) => `<tr><th>${esc(p)}</th>${candidate.map((c) => `<td class="n${p !== c && count(p, c) > 0 ? ' bad' : ''}">${count(p, c)}</td>`).join('')}</tr>`).join('') +
    '</table>';
  return `<section id="status-matrix"><h2>Status codes (primary × candidate)</h2>${heatmap(primary, candidate, count, 'Status codes, primary by candidate')}${table}</section>`;
}

function latencySection(r: ReleaseReport): string {
  const scopes = [{ name: 'whole run', latency: r.overall.latency }, ...r.endpoints.map((e) => ({ name: e.route, latency: e.latency }))];
  const rows = scopes
    .map(
      ({ name, latency: l }) =>
        `<tr><td>${esc(name)}</td><td>${esc(l.basis)}</td><td class="n">${millis(l.reference.p50)} / ${millis(l.candidate.p50)}</td><td class="n">${millis(l.reference.p95)} / ${millis(l.candidate.p95)}</td>` +
        `<td class="n">${millis(l.reference.p99)} / ${millis(l.candidate.p99)}</td><td class="n">${times(l.ratio.p99)}</td></tr>`,
    )
    .join('');
  const chart = barChart(
    scopes.map(({ name, latency: l }) => ({
      label: name,
      bars: [
        { value: l.reference.p99 ?? 0, color: PRIMARY, text: `p99 ${millis(l.reference.p99)}` },
        { value: l.candidate.p99 ?? 0, color: CANDIDATE, text: `p99 ${millis(l.candidate.p99)}` },
      ],
    })),
    { title: 'p99 latency, reference and candidate', legend: [{ label: 'reference (secondary, control copy or primary: see basis)', color: PRIMARY }, { label: 'candidate', color: CANDIDATE }] },
  );
  return `<section id="latency"><h2>Latency</h2>${chart}<p>The candidate is compared with a reference timed alike: the secondary, or control copies of the primary, sent with it from the same thread. A basis of <em>primary</em> is the served primary, timed on another thread under other load: indicative only, not judged by the gate.</p><table><tr><th>scope</th><th>basis</th><th>p50 reference / candidate</th><th>p95 reference / candidate</th><th>p99 reference / candidate</th><th>p99 ratio</th></tr>${rows}</table></section>`;
}

function driftSection(r: ReleaseReport): string {
  const list = (title: string, items: ReleaseReport['schemaDrift']['added']): string =>
    `<h3>${esc(title)}</h3>` +
    (items.length === 0 ? '<p class="muted">None.</p>' : `<ul>${items.map((d) => `<li><code>${esc(d.route)}</code> <code>${esc(d.field)}</code>: ${d.differences} exchanges (${esc(d.verdict)})</li>`).join('')}</ul>`);
  return (
    `<section id="schema-drift"><h2>Schema drift</h2>${list('Fields added by the candidate', r.schemaDrift.added)}` +
    `${list('Fields removed by the candidate', r.schemaDrift.removed)}${list('Fields whose type changed', r.schemaDrift.typeChanged)}</section>`
  );
}

function noiseSection(r: ReleaseReport): string {
  const v = r.noise.verdicts;
  const chart = barChart(
    (['real', 'insufficient_data', 'noise', 'expected', 'ignored'] as const).map((k) => ({ label: k.replace('_', ' '), bars: [{ value: v[k], color: k === 'real' ? '#c62828' : '#78909c', text: String(v[k]) }] })),
    { title: 'Differing fields by verdict' },
  );
  const rows = r.noise.fields
    .map((f) => {
      const why = f.basis === 'triage' ? `marked ${f.verdict}: ${f.reason ?? ''}` : f.basis === 'rule' ? `rule ${f.rule ?? '(when diffed)'}` : `candidate ${percent(f.candidateRate)} vs secondary ${percent(f.secondaryRate)}`;
      return `<tr><td><code>${esc(f.route)}</code></td><td><code>${esc(f.field)}</code></td><td>${esc(f.verdict)}</td><td>${esc(why)}</td></tr>`;
    })
    .join('');
  const suspected =
    r.noise.suspected.length === 0
      ? ''
      : `<p>Counted as real although every differing value looked volatile (UUIDs, timestamps, tokens); add a rule or mark them if they are noise: ${r.noise.suspected.map((s) => `<code>${esc(s.route)} ${esc(s.field)}</code>`).join(', ')}</p>`;
  return `<section id="noise"><h2>Noise summary</h2>${chart}${rows ? `<table><tr><th>route</th><th>field</th><th>verdict</th><th>why</th></tr>${rows}</table>` : ''}${suspected}</section>`;
}

/** The release validation report as one self-contained HTML file: inline CSS and SVG, no scripts, no network. */
export function renderReportHtml(report: ReleaseReport): string {
  const { run } = report;
  const subtitle =
    `${run.service ? `${esc(run.service)} · ` : ''}primary${run.primaryLabel ? ` ${esc(run.primaryLabel)}` : ''} vs candidate${run.candidateLabel ? ` ${esc(run.candidateLabel)}` : ''} · ` +
    `${report.overall.exchanges} exchanges · generated ${esc(report.generatedAt)}`;
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>Release validation report: ${esc(run.name)}</title><style>${STYLE}</style></head><body><main>` +
    `<h1>Release validation report: ${esc(run.name)}</h1><p class="muted">${subtitle}</p>` +
    verdictSection(report) +
    findingsSection(report) +
    routesSection(report) +
    fieldsSection(report) +
    statusSection(report) +
    latencySection(report) +
    driftSection(report) +
    noiseSection(report) +
    '</main></body></html>\n'
  );
}
