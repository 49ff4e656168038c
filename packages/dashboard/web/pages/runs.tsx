import { seg } from '../api.ts';
import { ErrorNote, LagWarning, Layout, Loading } from '../components/layout.tsx';
import { SortableTable, type Column } from '../components/sortable-table.tsx';
import { count, percent, when } from '../format.ts';
import { Link } from '../router.tsx';
import type { RunList, RunSummary } from '../types.ts';
import { useApi } from '../use-api.ts';

const columns: Column<RunSummary>[] = [
  { key: 'name', label: 'Run', sortValue: (r) => r.name, render: (r) => <Link href={`/runs/${seg(r.name)}`}>{r.name}</Link> },
  { key: 'service', label: 'Service', sortValue: (r) => r.service ?? '', render: (r) => r.service ?? '–' },
  {
    key: 'labels',
    label: 'Primary → candidate',
    render: (r) => (r.primaryLabel || r.candidateLabel ? `${r.primaryLabel ?? '?'} → ${r.candidateLabel ?? '?'}` : '–'),
  },
  {
    key: 'state',
    label: 'State',
    sortValue: (r) => r.state,
    render: (r) => (
      <>
        <span class="badge">{r.state}</span>
        {r.kept && (
          <span class="badge" title="a kept run (a baseline): pruning never removes its exchanges">
            kept
          </span>
        )}
        {r.resultLag?.behind && (
          <span class="badge lagging" title={r.resultLag.warning ?? ''}>
            lagging {Math.round(r.resultLag.seconds)} s
          </span>
        )}
      </>
    ),
  },
  { key: 'exchanges', label: 'Exchanges', numeric: true, sortValue: (r) => r.exchanges, render: (r) => count(r.exchanges) },
  {
    key: 'rate',
    label: 'Real-difference rate',
    numeric: true,
    sortValue: (r) => r.realDifferenceRate ?? null,
    render: (r) => percent(r.realDifferenceRate ?? null),
  },
  {
    key: 'verdict',
    label: 'Gate',
    sortValue: (r) => r.verdict ?? '',
    render: (r) => (r.verdict ? <span class={`badge ${r.verdict}`}>{r.verdict}</span> : <span class="muted">–</span>),
  },
  { key: 'created', label: 'Started', sortValue: (r) => r.createdAt, render: (r) => when(r.createdAt) },
];

/** Every run, newest first. */
export function RunsPage() {
  const { data, error } = useApi<RunList>('/runs?summary=true', 5000);
  return (
    <Layout crumbs={[{ label: 'Runs' }]}>
      <h1>Runs</h1>
      {error && <ErrorNote error={error} />}
      {!data && !error && <Loading />}
      {data?.items.map((r) => r.resultLag?.behind && <LagWarning key={r.id} run={r.name} warning={r.resultLag.warning} />)}
      {data && (
        <SortableTable
          rows={data.items}
          columns={columns}
          rowKey={(r) => r.id}
          initialSort={{ key: 'created', descending: true }}
          empty="No runs yet: send traffic through a tap."
        />
      )}
    </Layout>
  );
}
