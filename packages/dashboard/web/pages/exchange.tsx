import { useMemo } from 'preact/hooks';
import { seg } from '../api.ts';
import { JsonView } from '../components/json-view.tsx';
import { VerdictBadge } from '../components/verdict-badge.tsx';
import type { Difference, Exchange, PresentedBody, SideView } from '../types.ts';
import { ErrorNote, Layout, Loading } from '../components/layout.tsx';
import { ms } from '../format.ts';
import { Link, useRoute } from '../router.tsx';
import { useApi } from '../use-api.ts';

function Headers(props: { headers: Record<string, string | string[]> | undefined; highlight: ReadonlySet<string> }) {
  const entries = Object.entries(props.headers ?? {});
  if (entries.length === 0) return <p class="muted">No headers captured.</p>;
  return (
    <table class="headers">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{props.highlight.has(`header.${name}`) ? <mark>{name}</mark> : name}</th>
            <td>
              <code>{Array.isArray(value) ? value.join('\n') : value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body(props: { body: PresentedBody | undefined; highlight: ReadonlySet<string> }) {
  const { body } = props;
  if (!body) return <p class="muted">Body not kept for this exchange.</p>;
  if (body.size === 0) return <p class="muted">No body.</p>;
  const note = body.truncated ? ` (first part of ${body.size} bytes kept)` : ` (${body.size} bytes)`;
  let content;
  if (body.json !== undefined) content = <JsonView value={body.json} highlight={props.highlight} />;
  else if (body.encoding === 'text') content = <pre class="text">{body.text}</pre>;
  else content = <pre class="text">{`binary, base64:\n${body.base64 ?? ''}`}</pre>;
  return (
    <>
      <p class="muted">Body{note}</p>
      {content}
    </>
  );
}

function Side(props: { title: string; view: SideView; differences: Difference[] }) {
  const highlight = useMemo(() => new Set(props.differences.flatMap((d) => [d.path, d.field])), [props.differences]);
  const captured = props.view.captured;
  return (
    <section aria-label={props.title}>
      <h2>
        {props.title}{' '}
        <span class={`badge ${highlight.has('status') ? 'fail' : ''}`}>{props.view.status ?? props.view.outcome ?? 'no response'}</span>{' '}
        <span class="muted">{ms(props.view.latencyMs)}</span>
      </h2>
      {props.view.outcome && props.view.outcome !== 'ok' && <p class="error">Outcome: {props.view.outcome}{captured?.error ? ` — ${captured.error}` : ''}</p>}
      <details open={highlight.size > 0 && [...highlight].some((f) => f.startsWith('header.'))}>
        <summary>Headers</summary>
        <Headers headers={captured?.headers} highlight={highlight} />
      </details>
      <Body body={captured?.body} highlight={highlight} />
    </section>
  );
}

/** One exchange: the request and every side's response side by side, differing fields marked. */
export function ExchangePage() {
  const { params } = useRoute();
  const { data, error } = useApi<Exchange>(`/exchanges/${seg(params.id!)}`);
  const crumbs = [{ label: 'Runs', href: '/' }];
  if (!data) return <Layout crumbs={[...crumbs, { label: 'Exchange' }]}>{error ? <ErrorNote error={error} /> : <Loading />}</Layout>;
  const runHref = `/runs/${seg(data.runName)}`;
  const candidateDiffs = data.differences.filter((d) => d.side === 'candidate');
  const secondaryDiffs = data.differences.filter((d) => d.side === 'secondary');
  return (
    <Layout
      crumbs={[
        ...crumbs,
        { label: data.runName, href: runHref },
        { label: data.route, href: `${runHref}/endpoints/${seg(data.route)}` },
        { label: `Exchange ${data.id.slice(0, 8)}` },
      ]}
    >
      <h1>
        <code>
          {data.method} {data.url}
        </code>
      </h1>
      <p class="muted">
        Captured {new Date(data.capturedAt).toLocaleString()} · exchange <code>{data.id}</code>
      </p>
      <h2>Differences</h2>
      {data.differences.length === 0 ? (
        <p class="muted">The responses agree (or their bodies were not compared).</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Side</th>
              <th scope="col">Field</th>
              <th scope="col">Kind</th>
              <th scope="col">Primary</th>
              <th scope="col">Other</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {data.differences.map((d) => (
              <tr key={d.id}>
                <td>{d.side}</td>
                <td>
                  <Link href={`${runHref}/endpoints/${seg(data.route)}/fields/${seg(d.field)}`}>
                    <code>{d.path}</code>
                  </Link>
                </td>
                <td>{d.kind}</td>
                <td>
                  <code>{JSON.stringify(d.primaryValue)}</code>
                </td>
                <td>
                  <code>{JSON.stringify(d.otherValue)}</code>
                </td>
                <td>
                  {d.verdict && !d.ignoredBy && <VerdictBadge verdict={d.verdict} />}{' '}
                  {d.ignoredBy && <span class="badge ignored">ignored by {d.ignoredBy}</span>}
                  {d.suspectedNoise && <span class="badge suspected">volatile value</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Request</h2>
      <details>
        <summary>Headers</summary>
        <Headers headers={data.request?.headers} highlight={new Set()} />
      </details>
      <Body body={data.request?.body} highlight={new Set()} />
      <div class="side-by-side">
        <Side title="Primary" view={data.responses.primary} differences={[...candidateDiffs, ...secondaryDiffs]} />
        <Side title="Candidate" view={data.responses.candidate} differences={candidateDiffs} />
        {data.responses.secondary && <Side title="Secondary" view={data.responses.secondary} differences={secondaryDiffs} />}
      </div>
    </Layout>
  );
}
