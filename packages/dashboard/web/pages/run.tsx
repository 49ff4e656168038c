import { useEffect, useState } from 'preact/hooks';
import { download, seg } from '../api.ts';
import { LatencyChart } from '../components/charts.tsx';
import { ErrorNote, LagWarning, Layout, Loading } from '../components/layout.tsx';
import { SortableTable, type Column } from '../components/sortable-table.tsx';
import { count, ms, percent, ratio } from '../format.ts';
import { Link, useRoute } from '../router.tsx';
import { TriageDialog, type TriageAction } from '../components/triage-dialog.tsx';
import { VerdictBadge } from '../components/verdict-badge.tsx';
import type { Finding, ReleaseReport, RouteSummary, RunDetail } from '../types.ts';
import { useApi } from '../use-api.ts';

function routeColumns(run: string): Column<RouteSummary>[] {
  return [
    {
      key: 'route',
      label: 'Endpoint',
      sortValue: (e) => e.route,
      render: (e) => (
        <Link href={`/runs/${seg(run)}/endpoints/${seg(e.route)}`}>
          <code>{e.route}</code>
        </Link>
      ),
    },
    { key: 'traffic', label: 'Exchanges', numeric: true, sortValue: (e) => e.exchanges, render: (e) => count(e.exchanges) },
    {
      key: 'rate',
      label: 'Real-difference rate',
      numeric: true,
      sortValue: (e) => e.differenceRate,
      render: (e) => percent(e.differenceRate),
      title: 'exchanges with at least one real (not noise, not ignored, not expected) difference',
    },
    { key: 'status', label: 'Status ≠', numeric: true, sortValue: (e) => e.statusMismatches, render: (e) => count(e.statusMismatches) },
    {
      key: 'errors',
      label: 'Candidate errors',
      numeric: true,
      sortValue: (e) => e.candidateErrors,
      render: (e) => count(e.candidateErrors),
      title: '5xx, timeouts, refused and reset connections',
    },
    { key: 'p99', label: 'p99 reference / candidate', numeric: true, render: (e) => `${ms(e.latency.reference.p99)} / ${ms(e.latency.candidate.p99)}` },
    {
      key: 'latency',
      label: 'p99 ratio',
      numeric: true,
      sortValue: (e) => e.latency.ratio.p99,
      render: (e) => `${ratio(e.latency.ratio.p99)}${e.latency.basis === 'primary' ? ' *' : ''}`,
      title: 'candidate ÷ secondary or control copy, timed alike; * against the served primary, timed on another thread: indicative only',
    },
    {
      key: 'fields',
      label: 'Fields real / noise',
      numeric: true,
      sortValue: (e) => e.fields.real,
      render: (e) => `${e.fields.real + e.fields.insufficient_data} / ${e.fields.noise + e.fields.expected + e.fields.ignored}`,
    },
  ];
}

function StatusMatrix(props: { matrix: ReleaseReport['statusMatrix'] }) {
  const { primary, candidate, cells } = props.matrix;
  if (cells.length === 0) return <p class="muted">No exchanges yet.</p>;
  const at = (p: string, c: string) => cells.find((cell) => cell.primary === p && cell.candidate === c)?.count ?? 0;
  return (
    <table class="matrix">
      <caption>Rows: primary status · columns: candidate status or failure</caption>
      <thead>
        <tr>
          <th scope="col">{'primary \\ candidate'}</th>
          {candidate.map((c) => (
            <th key={c} scope="col" class="num">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {primary.map((p) => (
          <tr key={p}>
            <th scope="row">{p}</th>
            {candidate.map((c) => {
              const n = at(p, c);
              return (
                <td key={c} class={`num ${n > 0 && p !== c ? 'error' : ''}`}>
                  {n > 0 ? count(n) : ''}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What changed, one line per finding, each route linking to its page; noise on one line. */
function Findings(props: { run: string; findings: Finding[]; onChange: () => void }) {
  const [dialog, setDialog] = useState<{ finding: Finding; action: TriageAction } | null>(null);
  const judged = props.findings.filter((f) => f.verdict !== 'noise' && f.verdict !== 'ignored');
  const noise = props.findings.filter((f) => f.verdict === 'noise');
  return (
    <section aria-label="Findings">
      {judged.length === 0 ? (
        <p class="pass">Nothing changed beyond noise.</p>
      ) : (
        <ul class="findings">
          {judged.map((f) => (
            <li key={f.id}>
              <VerdictBadge verdict={f.verdict} /> <strong>{f.title}</strong> <span class="muted">{count(f.exchanges)} exchanges:</span>{' '}
              {f.routes.map((r, i) => (
                <span key={r.route}>
                  {i > 0 && ', '}
                  <Link href={`/runs/${seg(props.run)}/endpoints/${seg(r.route)}`}>
                    <code>{r.route}</code>
                  </Link>{' '}
                  {percent(r.rate)}
                </span>
              ))}{' '}
              {f.kind !== 'status' && (
                <button type="button" onClick={() => setDialog({ finding: f, action: 'noise' })} aria-label={`Mark finding ${f.title} as noise`}>
                  Noise
                </button>
              )}{' '}
              <button type="button" onClick={() => setDialog({ finding: f, action: 'expected' })} aria-label={`Mark finding ${f.title} as expected`}>
                Expected
              </button>
            </li>
          ))}
        </ul>
      )}
      {noise.length > 0 && <p class="muted">Noise: {noise.map((f) => f.title).join('; ')}</p>}
      {dialog && (
        <TriageDialog
          run={props.run}
          target={{ kind: 'finding', id: dialog.finding.id, title: dialog.finding.title }}
          action={dialog.action}
          onClose={(changed) => {
            setDialog(null);
            if (changed) props.onChange();
          }}
        />
      )}
    </section>
  );
}

/** What the latency ratio is against, as a reader should see it. */
const BASIS_LABEL = { secondary: 'secondary', control: 'control copy', primary: 'served primary (not alike)' } as const;

/** One run: what changed (its findings), its gate verdict, routes, status-code matrix and latency, refreshed while active. */
export function RunPage() {
  const { params } = useRoute();
  const run = params.run!;
  const [live, setLive] = useState(true);
  const { data, error, reload } = useApi<ReleaseReport>(`/runs/${seg(run)}/report?format=json`, live ? 5000 : undefined);
  // The run itself says whether its results lag its traffic, while it is active.
  const { data: current } = useApi<RunDetail>(live ? `/runs/${seg(run)}` : null, live ? 5000 : undefined);
  useEffect(() => {
    if (data && data.run.state !== 'active') setLive(false);
  }, [data]);
  const crumbs = [{ label: 'Runs', href: '/' }, { label: run }];
  if (!data) return <Layout crumbs={crumbs}>{error ? <ErrorNote error={error} /> : <Loading />}</Layout>;
  const { overall, gate } = data;
  return (
    <Layout
      crumbs={crumbs}
      actions={
        <button type="button" onClick={() => void download(`/runs/${seg(run)}/report?format=html`, `${run}-report.html`)}>
          Download report
        </button>
      }
    >
      <h1>
        {data.run.name} <span class={`badge ${gate.verdict}`}>gate: {gate.verdict}</span>{' '}
        <span class="badge">{data.run.state}</span>
      </h1>
      {live && <LagWarning run={data.run.name} warning={current?.resultLag?.warning} />}
      {(data.run.primaryLabel || data.run.candidateLabel) && (
        <p class="muted">
          {data.run.service ? `${data.run.service}: ` : ''}
          {data.run.primaryLabel ?? 'primary'} → {data.run.candidateLabel ?? 'candidate'}
        </p>
      )}
      {data.run.trafficSources.length > 0 && <p class="muted">Traffic from {data.run.trafficSources.join(', ')}</p>}
      <div class="cards" aria-label="Run totals">
        <div class="card">
          <div class="value">{count(overall.exchanges)}</div>
          <div class="label">exchanges</div>
        </div>
        <div class="card">
          <div class="value">{percent(overall.differenceRate)}</div>
          <div class="label">real-difference rate</div>
        </div>
        <div class="card">
          <div class="value">{percent(overall.statusMismatchRate)}</div>
          <div class="label">status mismatches</div>
        </div>
        <div class="card">
          <div class="value">{percent(overall.candidateErrorRate)}</div>
          <div class="label">candidate errors</div>
        </div>
        <div class="card">
          <div class="value">{ratio(overall.latency.ratio.p99)}</div>
          <div class="label">p99 latency, candidate ÷ {BASIS_LABEL[overall.latency.basis]}</div>
        </div>
      </div>
      <h2>Findings</h2>
      <Findings run={run} findings={data.findings} onChange={reload} />
      <h2>Gate</h2>
      <ul class="reasons">
        {gate.reasons.length === 0 ? <li class="pass">Every threshold is met.</li> : gate.reasons.map((reason, i) => <li key={i} class="fail">{reason}</li>)}
      </ul>
      <h2>Endpoints</h2>
      <SortableTable rows={data.endpoints} columns={routeColumns(run)} rowKey={(e) => e.route} initialSort={{ key: 'traffic', descending: true }} empty="No exchanges yet." />
      <h2>Status codes</h2>
      <StatusMatrix matrix={data.statusMatrix} />
      <h2>Latency</h2>
      <LatencyChart routes={data.endpoints} />
      <p class="muted">{data.run.state === 'active' ? 'Live: refreshed every 5 seconds.' : `Closed. Report generated ${new Date(data.generatedAt).toLocaleString()}.`}</p>
    </Layout>
  );
}
