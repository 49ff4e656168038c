import { seg } from '../api.ts';
import { ErrorNote, Layout, Loading } from '../components/layout.tsx';
import { VerdictBadge } from '../components/verdict-badge.tsx';
import { when } from '../format.ts';
import { Link, useRoute } from '../router.tsx';
import type { DifferencePage } from '../types.ts';
import { useApi } from '../use-api.ts';

/** One field of a route: the exchanges in which it differed, with both values. */
export function FieldPage() {
  const { params, query } = useRoute();
  const run = params.run!;
  const route = params.route!;
  const field = params.field!;
  const cursor = query.get('cursor');
  const path = `/runs/${seg(run)}/differences?route=${seg(route)}&field=${seg(field)}&includeIgnored=true&limit=50${cursor ? `&cursor=${seg(cursor)}` : ''}`;
  const { data, error } = useApi<DifferencePage>(path);
  const here = `/runs/${seg(run)}/endpoints/${seg(route)}/fields/${seg(field)}`;
  const crumbs = [
    { label: 'Runs', href: '/' },
    { label: run, href: `/runs/${seg(run)}` },
    { label: route, href: `/runs/${seg(run)}/endpoints/${seg(route)}` },
    { label: field },
  ];
  return (
    <Layout crumbs={crumbs}>
      <h1>
        <code>{field}</code>
      </h1>
      <p class="muted">
        on <code>{route}</code>
      </p>
      {error && <ErrorNote error={error} />}
      {!data && !error && <Loading />}
      {data && data.items.length === 0 && <p class="muted">No stored difference on this field.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption>Example exchanges</caption>
          <thead>
            <tr>
              <th scope="col">Exchange</th>
              <th scope="col">Side</th>
              <th scope="col">Path</th>
              <th scope="col">Kind</th>
              <th scope="col">Primary</th>
              <th scope="col">Other</th>
              <th scope="col">Verdict</th>
              <th scope="col">Captured</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link href={`/exchanges/${seg(d.exchangeId)}`}>
                    <code>{d.exchangeId.slice(0, 8)}</code>
                  </Link>
                </td>
                <td>{d.side}</td>
                <td>
                  <code>{d.path}</code>
                </td>
                <td>{d.kind}</td>
                <td>
                  <code>{JSON.stringify(d.primaryValue)}</code>
                </td>
                <td>
                  <code>{JSON.stringify(d.otherValue)}</code>
                </td>
                <td>{d.verdict ? <VerdictBadge verdict={d.verdict} /> : d.ignoredBy ? <span class="badge ignored">ignored</span> : '–'}</td>
                <td>{when(d.capturedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.hasMore && data.nextCursor && (
        <p>
          <Link href={`${here}?cursor=${seg(data.nextCursor)}`}>Older differences →</Link>
        </p>
      )}
    </Layout>
  );
}
