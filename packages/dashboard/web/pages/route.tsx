import { useState } from 'preact/hooks';
import { seg } from '../api.ts';
import { ErrorNote, Layout, Loading } from '../components/layout.tsx';
import { SortableTable, type Column } from '../components/sortable-table.tsx';
import { clearTriage, removeRule, TriageDialog, type TriageAction } from '../components/triage-dialog.tsx';
import { VerdictBadge } from '../components/verdict-badge.tsx';
import { count, percent } from '../format.ts';
import { Link, useRoute } from '../router.tsx';
import type { FieldItem, FieldList } from '../types.ts';
import { useApi } from '../use-api.ts';

function explain(item: FieldItem): string {
  const c = item.classification;
  const n = c.numbers;
  switch (c.basis) {
    case 'rule':
      return `hidden by rule ${c.rule}`;
    case 'triage':
      return `marked ${c.verdict}: ${c.reason}`;
    case 'never_noise':
      return 'status and failures are never noise';
    case 'no_secondary':
      return 'no secondary to compare with';
    case 'learned':
      return `${c.reason}; mark it real if it is not`;
    default:
      return `candidate ${percent(n.candidateRate)} [${percent(n.candidateBound.low)}–${percent(n.candidateBound.high)}] vs secondary ${percent(n.secondaryRate)} [${percent(n.secondaryBound.low)}–${percent(n.secondaryBound.high)}] over ${n.exchanges} exchanges`;
  }
}

/** One route of a run: its fields with counts, rates, kinds and noise verdicts, and the triage actions. */
export function RoutePage() {
  const { params } = useRoute();
  const run = params.run!;
  const route = params.route!;
  const { data, error, reload } = useApi<FieldList>(`/runs/${seg(run)}/endpoints/${seg(route)}/fields?examples=3`);
  const [dialog, setDialog] = useState<{ field: string; action: TriageAction } | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const undo = async (action: () => Promise<void>) => {
    try {
      setActionError(null);
      await action();
      reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };
  const base = `/runs/${seg(run)}/endpoints/${seg(route)}`;
  const columns: Column<FieldItem>[] = [
    {
      key: 'field',
      label: 'Field',
      sortValue: (f) => f.field,
      render: (f) => (
        <Link href={`${base}/fields/${seg(f.field)}`}>
          <code>{f.field}</code>
        </Link>
      ),
    },
    { key: 'differences', label: 'Differing exchanges', numeric: true, sortValue: (f) => f.differences, render: (f) => count(f.differences) },
    { key: 'rate', label: 'Rate', numeric: true, sortValue: (f) => f.rate, render: (f) => percent(f.rate) },
    { key: 'secondary', label: 'Secondary differs', numeric: true, sortValue: (f) => f.secondaryDifferences, render: (f) => count(f.secondaryDifferences) },
    { key: 'kinds', label: 'Kinds', render: (f) => f.kinds.join(', ') || '–' },
    {
      key: 'verdict',
      label: 'Classification',
      sortValue: (f) => f.classification.verdict,
      render: (f) => (
        <>
          <VerdictBadge verdict={f.classification.verdict} title={explain(f)} />
          {f.suspectedNoise && f.classification.basis === 'no_secondary' && <span class="badge suspected">volatile values</span>}
          <div class="muted small">{explain(f)}</div>
        </>
      ),
    },
    {
      key: 'actions',
      label: 'Triage',
      render: (f) => (
        <span class="row-actions">
          {f.classification.basis === 'triage' && (
            <>
              <button type="button" onClick={() => void undo(() => clearTriage(run, route, f.field))} aria-label={`Clear the mark on ${f.field}`}>
                Clear mark
              </button>{' '}
            </>
          )}
          {f.classification.basis === 'rule' && f.classification.rule && (
            <>
              <button type="button" onClick={() => void undo(() => removeRule(run, f.classification.rule!))} aria-label={`Remove rule ${f.classification.rule}`}>
                Remove rule
              </button>{' '}
            </>
          )}
          {f.field !== 'status' && f.field !== 'outcome' && (
            <button type="button" onClick={() => setDialog({ field: f.field, action: 'noise' })} aria-label={`Mark ${f.field} as noise`}>
              Noise
            </button>
          )}{' '}
          {f.classification.basis === 'learned' && (
            <>
              <button type="button" onClick={() => setDialog({ field: f.field, action: 'real' })} aria-label={`Count ${f.field} as real`}>
                Real
              </button>{' '}
            </>
          )}
          <button type="button" onClick={() => setDialog({ field: f.field, action: 'expected' })} aria-label={`Mark ${f.field} as expected`}>
            Expected
          </button>{' '}
          <button type="button" onClick={() => setDialog({ field: f.field, action: 'ignore' })} aria-label={`Ignore ${f.field} on this endpoint`}>
            Ignore
          </button>
        </span>
      ),
    },
  ];
  const crumbs = [{ label: 'Runs', href: '/' }, { label: run, href: `/runs/${seg(run)}` }, { label: route }];
  return (
    <Layout crumbs={crumbs}>
      <h1>
        <code>{route}</code>
      </h1>
      {error && <ErrorNote error={error} />}
      {actionError && <ErrorNote error={actionError} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <p class="muted">{count(data.exchanges)} exchanges on this endpoint.</p>
          <SortableTable rows={data.items} columns={columns} rowKey={(f) => f.field} initialSort={{ key: 'differences', descending: true }} empty="No field differs on this endpoint." />
        </>
      )}
      {dialog && (
        <TriageDialog
          run={run}
          target={{ kind: 'field', route, field: dialog.field }}
          action={dialog.action}
          onClose={(changed) => {
            setDialog(null);
            if (changed) reload();
          }}
        />
      )}
    </Layout>
  );
}
