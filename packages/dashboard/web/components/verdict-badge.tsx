import type { Verdict } from '../types.ts';

const LABELS: Record<Verdict, string> = {
  real: 'real',
  noise: 'noise',
  expected: 'expected',
  ignored: 'ignored',
  insufficient_data: 'not enough data',
};

export function VerdictBadge(props: { verdict: Verdict; title?: string }) {
  return (
    <span class={`badge ${props.verdict}`} title={props.title}>
      {LABELS[props.verdict]}
    </span>
  );
}
