/** The simulation's result, the equalities that must hold exactly, and its tables. */
import { droppedWhen, total, type StoreFigures, type TapFigures } from './figures.ts';
import type { ShardBacklog } from './shard-backlog.ts';

/** What one load generator reported. */
export interface LoadFigures {
  sent: number;
  answered: number;
  failed: number;
  unanswered: number;
  byKind: Record<string, number>;
}

/** Everything one simulation measured. */
export interface SimResult {
  date: string;
  settings: { seconds: number; rate: number; shards: number; lockDurationMs: number; shadowTimeoutMs: number };
  faults: {
    workerKilledAtS: number;
    /** Captures the killed worker had stored (its own counter, read just before the kill). */
    storedByKilledWorker: number;
    masterKilled: number;
    /** Queue shards whose keys live on the killed master. */
    shardsOnKilledMaster: number[];
    masterKilledAtS: number;
    /** From the kill until the cluster was ok again. */
    masterAwayS: number;
  };
  /** Per tap. */
  load: LoadFigures[];
  taps: TapFigures[];
  /** The surviving workers' results (stored, duplicate, dead_letter), summed. */
  workers: Record<string, number>;
  store: StoreFigures;
  candidate: { received: number; distinct: number };
  /** From the end of the traffic until every queued capture was stored or dead-lettered (or the wait gave up). */
  drainS: number;
  /** The API's /readyz at the end. */
  readyz: { status: number; waitingCaptures: number | null };
  /** What each queue shard still held at the end. */
  shards: ShardBacklog[];
  /** Queue shard consumers the surviving workers made anew after finding them stuck, by shard. */
  consumerRestarts: Record<string, number>;
}

/** One equality. */
export interface Check {
  name: string;
  left: number;
  right: number;
  held: boolean;
}

const check = (name: string, left: number, right: number): Check => ({ name, left, right, held: left === right });

/** The equalities that must hold exactly for nothing to have been lost or stored twice. */
export function checksOf(result: SimResult): Check[] {
  const { taps, store } = result;
  const perTap = taps.flatMap((tap, i) => [
    check(`tap ${i}: requests sent = requests the tap counted`, result.load[i]!.sent, total(tap.requests)),
    check(
      `tap ${i}: requests = mirrored + not mirrored (by reason) + dropped before mirroring (by reason)`,
      total(tap.requests),
      tap.mirrored + total(tap.notMirrored) + droppedWhen(tap, true),
    ),
    check(`tap ${i}: mirrored = captures queued + dropped after mirroring (by reason)`, tap.mirrored, tap.queued + droppedWhen(tap, false)),
  ]);
  const queued = taps.reduce((sum, tap) => sum + tap.queued, 0);
  const mirrored = taps.reduce((sum, tap) => sum + tap.mirrored, 0);
  return [
    ...perTap,
    check('captures queued (both taps) = exchanges stored + dead letters', queued, store.stored + store.deadLetters),
    check('exchanges stored = distinct capture ids', store.stored, store.distinctIds),
    check('exchanges stored = distinct request ids (sid) among them', store.stored, store.distinctSids),
    check('copies the candidate received = distinct request ids it received', result.candidate.received, result.candidate.distinct),
    check('mirrored (both taps) = distinct requests the candidate received', mirrored, result.candidate.distinct),
    check('stored exchanges whose request the candidate never received', store.notSeenByCandidate, 0),
  ];
}

const row = (cells: (string | number)[]): string => `| ${cells.map((c) => (typeof c === 'number' ? c.toLocaleString('en') : c)).join(' | ')} |`;

/** Every figure, per tap and in total, as a markdown table. */
export function figureTable(result: SimResult): string[] {
  const { taps } = result;
  const lines: string[] = ['| figure | tap 0 | tap 1 | total |', '| --- | ---: | ---: | ---: |'];
  const add = (label: string, values: number[]): void => void lines.push(row([label, ...values, values.reduce((a, b) => a + b, 0)]));
  const keys = (pick: (tap: TapFigures) => Record<string, number>): string[] => [...new Set(taps.flatMap((tap) => Object.keys(pick(tap))))].sort();
  add('requests sent (load)', result.load.map((l) => l.sent));
  add('answered to the load', result.load.map((l) => l.answered));
  add('failed or unanswered at the load', result.load.map((l) => l.failed + l.unanswered));
  for (const outcome of keys((t) => t.requests)) add(`tap requests: ${outcome}`, taps.map((t) => t.requests[outcome] ?? 0));
  for (const reason of keys((t) => t.notMirrored)) add(`not mirrored: ${reason}`, taps.map((t) => t.notMirrored[reason] ?? 0));
  for (const reason of keys((t) => t.dropped)) add(`dropped: ${reason}`, taps.map((t) => t.dropped[reason] ?? 0));
  add('mirrored', taps.map((t) => t.mirrored));
  add('captures queued', taps.map((t) => t.queued));
  for (const outcome of keys((t) => t.candidate)) add(`candidate copies: ${outcome}`, taps.map((t) => t.candidate[outcome] ?? 0));
  const { store } = result;
  lines.push(row(['exchanges stored (Postgres, this run)', '', '', store.stored]));
  for (const [outcome, n] of Object.entries(store.candidateOutcomes).sort()) lines.push(row([`exchanges stored: candidate ${outcome}`, '', '', n]));
  lines.push(row(['dead letters', '', '', store.deadLetters]));
  lines.push(row(['copies received by the candidate (distinct)', '', '', `${result.candidate.received.toLocaleString('en')} (${result.candidate.distinct.toLocaleString('en')})`]));
  for (const [kind, n] of Object.entries(result.workers).sort()) lines.push(row([`surviving workers: ${kind}`, '', '', n]));
  for (const s of result.shards.filter((s) => s.waiting !== 0 || s.active !== 0 || s.delayed !== 0)) {
    lines.push(row([`left in shard ${s.shard} (master ${s.master}): batches waiting / active / delayed`, '', '', `${s.waiting} / ${s.active} / ${s.delayed}`]));
  }
  return lines;
}

/** The checks as a markdown table. */
export function checkTable(checks: Check[]): string[] {
  return ['| reconciliation | left | right | held |', '| --- | ---: | ---: | :---: |', ...checks.map((c) => row([c.name, c.left, c.right, c.held ? 'yes' : '**no**']))];
}
