import type { RouteSummary } from '../types.ts';

const PRIMARY = '#1f5fbf';
const CANDIDATE = '#c2410c';

/**
 * Latency by route: p50 and p99 of the primary and the candidate as horizontal bars, one group
 * per route, on one scale. Plain SVG, labels as text.
 */
export function LatencyChart(props: { routes: RouteSummary[] }) {
  const rows = props.routes.filter((e) => e.latency.primary.p99 !== null || e.latency.candidate.p99 !== null).slice(0, 20);
  if (rows.length === 0) return <p class="muted">No latency recorded yet.</p>;
  const max = Math.max(...rows.flatMap((e) => [e.latency.primary.p99 ?? 0, e.latency.candidate.p99 ?? 0]), 0.001);
  const labelWidth = 230;
  const width = 760;
  const barArea = width - labelWidth - 70;
  const group = 34;
  const height = rows.length * group + 10;
  const bar = (value: number | null) => ((value ?? 0) / max) * barArea;
  return (
    <figure>
      <svg class="chart" role="img" aria-label="Latency p50 and p99 by route, primary and candidate" viewBox={`0 0 ${width} ${height}`} width="100%">
        {rows.map((e, i) => {
          const y = i * group + 4;
          const { primary, candidate } = e.latency;
          return (
            <g key={e.route}>
              <text x={labelWidth - 8} y={y + 17} text-anchor="end">
                {e.route.length > 34 ? `${e.route.slice(0, 33)}…` : e.route}
              </text>
              <rect x={labelWidth} y={y} width={bar(primary.p99)} height={12} fill={PRIMARY} opacity={0.35} />
              <rect x={labelWidth} y={y} width={bar(primary.p50)} height={12} fill={PRIMARY} />
              <rect x={labelWidth} y={y + 14} width={bar(candidate.p99)} height={12} fill={CANDIDATE} opacity={0.35} />
              <rect x={labelWidth} y={y + 14} width={bar(candidate.p50)} height={12} fill={CANDIDATE} />
              <text x={labelWidth + Math.max(bar(primary.p99), bar(candidate.p99)) + 6} y={y + 17}>
                {e.latency.ratio.p99 === null ? '' : `p99 ×${e.latency.ratio.p99.toFixed(2)}`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span>
          <span class="swatch" style={{ background: PRIMARY }} />
          primary
        </span>
        <span>
          <span class="swatch" style={{ background: CANDIDATE }} />
          candidate
        </span>
        <span>solid: p50 · light: p99 · scale 0–{max.toFixed(1)} ms</span>
      </figcaption>
    </figure>
  );
}
