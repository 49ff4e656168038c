/** Shapes of the API responses the dashboard reads (see /api/v1/openapi.json). */
export type Verdict = 'real' | 'noise' | 'expected' | 'ignored' | 'insufficient_data';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Totals {
  exchanges: number;
  differingExchanges: number;
  differenceRate: number;
  statusMismatches: number;
  statusMismatchRate: number;
  candidateErrors: number;
  candidateErrorRate: number;
  errors: { status5xx: number; timeout: number; refused: number; other: number };
  secondaryExchanges: number;
  /** `ratio` is candidate ÷ `reference`; `basis` says what the reference is (only secondary and control are timed alike). */
  latency: { basis: 'secondary' | 'control' | 'primary'; samples: number; primary: Percentiles; reference: Percentiles; candidate: Percentiles; ratio: Percentiles };
}

export interface EndpointSummary extends Totals {
  route: string;
  fields: Record<Verdict, number>;
}

export interface GateCheck {
  check: string;
  passed: boolean;
  value: number | null;
  upperBound: number | null;
  limit: number;
  message: string;
}

export interface GateResult {
  verdict: 'pass' | 'fail';
  reasons: string[];
  routes: { route: string; verdict: 'pass' | 'fail' | 'insufficient_data' | 'missing'; exchanges: number; checks: GateCheck[] }[];
}

export interface Run {
  id: string;
  name: string;
  service: string | null;
  primaryLabel: string | null;
  candidateLabel: string | null;
  state: 'active' | 'closed';
  createdAt: string;
  /** An active run (from /runs and /runs/:run): how far its results lag its traffic. */
  resultLag?: ResultLag | null;
}

/** How far an active run's results lag its traffic; `warning` is set when they lag beyond the allowed. */
export interface ResultLag {
  seconds: number;
  behind: boolean;
  warning: string | null;
}

/** What changed, grouped by cause (GET /runs/:run/findings; the report's `findings`). */
export interface Finding {
  id: string;
  title: string;
  kind: string;
  verdict: Verdict;
  exchanges: number;
  routes: { route: string; exchanges: number; rate: number }[];
  fields: { route: string; field: string; verdict: Verdict }[];
  folded: { route: string; field: string; verdict: Verdict }[];
  examples: string[];
}

export interface ReleaseReport {
  run: Run;
  generatedAt: string;
  gate: GateResult;
  overall: Totals;
  endpoints: EndpointSummary[];
  findings: Finding[];
  statusMatrix: { primary: string[]; candidate: string[]; cells: { primary: string; candidate: string; count: number }[] };
}

export interface Classification {
  verdict: Verdict;
  basis: 'rule' | 'triage' | 'never_noise' | 'secondary' | 'no_secondary' | 'learned';
  countsAsReal: boolean;
  rule: string | null;
  reason: string | null;
  numbers: {
    exchanges: number;
    candidateDifferences: number;
    candidateRate: number;
    secondaryExchanges: number;
    secondaryDifferences: number;
    secondaryRate: number;
    excess: number;
    candidateBound: { low: number; high: number };
    secondaryBound: { low: number; high: number };
  };
}

export interface FieldItem {
  field: string;
  differences: number;
  rate: number;
  secondaryDifferences: number;
  ignoredWhenDiffed: number;
  kinds: string[];
  suspectedNoise: boolean;
  classification: Classification;
  exampleExchangeIds: string[];
}

export interface DifferenceItem {
  id: number;
  exchangeId: string;
  route: string;
  side: string;
  field: string;
  path: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
  suspectedNoise: boolean;
  ignoredBy: string | null;
  verdict: Verdict | null;
  capturedAt: string;
}
