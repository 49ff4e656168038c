/** One difference as stored. */
export interface DifferenceRecord {
  side: 'candidate' | 'secondary';
  field: string;
  path: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
  suspectedNoise: boolean;
  /** Name of the rule that hid this difference; null for a reported difference. */
  ignoredBy: string | null;
}

/** One exchange ready for storage: its columns, its differences and what it adds to the counters. */
export interface ExchangeRecord {
  id: string;
  runId: string;
  capturedAt: string;
  method: string;
  url: string;
  route: string;
  primaryStatus: number | null;
  candidateStatus: number | null;
  secondaryStatus: number | null;
  candidateOutcome: string;
  secondaryOutcome: string | null;
  primaryLatencyMs: number;
  candidateLatencyMs: number;
  secondaryLatencyMs: number | null;
  /** What answered as the secondary; null without one. */
  secondaryKind: 'secondary' | 'control' | null;
  /** Bodies and headers as captured; null when storage economy drops them. */
  request: unknown;
  primaryResponse: unknown;
  candidateResponse: unknown;
  secondaryResponse: unknown;
  differences: DifferenceRecord[];
  statusMismatch: boolean;
  candidateError: boolean;
}
