/** The figures the simulation reconciles: each tap's counters, the workers', and what Postgres holds. */
import type pg from 'pg';

/** Drop reasons counted before a request is mirrored (`tap-handler.ts`); every other reason is counted after. */
export const DROPPED_BEFORE_MIRRORING = new Set(['shadow_limit', 'request_too_large', 'primary_error', 'client_aborted']);

/** One tap's counters, from its `/metrics`. */
export interface TapFigures {
  /** Client requests, by outcome (`shadowdiff_tap_requests_total`). */
  requests: Record<string, number>;
  mirrored: number;
  /** Not mirrored by policy, by reason. */
  notMirrored: Record<string, number>;
  /** Dropped, by reason: before mirroring (see `DROPPED_BEFORE_MIRRORING`) or after. */
  dropped: Record<string, number>;
  queued: number;
  /** Copies' outcomes at the candidate (ok, timeout, reset, …). */
  candidate: Record<string, number>;
}

/** The samples of one metric, keyed by the value of `label` ('' when the sample has none). */
export function samples(text: string, name: string, label?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.slice(name.length, line.lastIndexOf(' '));
    const key = label ? (new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1] ?? '') : '';
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** The sum of a record's values. */
export const total = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

async function metricsText(admin: string): Promise<string> {
  const res = await fetch(`${admin}/metrics`);
  if (!res.ok) throw new Error(`${admin}/metrics answered ${res.status}`);
  return res.text();
}

/** A tap's counters now. */
export async function tapFigures(admin: string): Promise<TapFigures> {
  const text = await metricsText(admin);
  const candidate = samples(text.split('\n').filter((line) => line.includes('side="candidate"')).join('\n'), 'shadowdiff_tap_shadow_outcomes_total', 'outcome');
  return {
    requests: samples(text, 'shadowdiff_tap_requests_total', 'outcome'),
    mirrored: total(samples(text, 'shadowdiff_tap_mirrored_total')),
    notMirrored: samples(text, 'shadowdiff_tap_not_mirrored_total', 'reason'),
    dropped: samples(text, 'shadowdiff_tap_dropped_total', 'reason'),
    queued: total(samples(text, 'shadowdiff_tap_captures_queued_total')),
    candidate,
  };
}

/** Drops of a tap counted before (`true`) or after (`false`) mirroring. */
export function droppedWhen(figures: TapFigures, beforeMirroring: boolean): number {
  return total(Object.fromEntries(Object.entries(figures.dropped).filter(([reason]) => DROPPED_BEFORE_MIRRORING.has(reason) === beforeMirroring)));
}

/** A worker's results so far (`shadowdiff_worker_exchanges_total` by result: stored, duplicate, dead_letter). */
export async function workerFigures(admin: string): Promise<Record<string, number>> {
  return samples(await metricsText(admin), 'shadowdiff_worker_exchanges_total', 'result');
}

/** A worker's restarts of stuck queue shard consumers so far, by shard (`shadowdiff_worker_shard_consumer_restarts_total`). */
export async function consumerRestarts(admin: string): Promise<Record<string, number>> {
  return samples(await metricsText(admin), 'shadowdiff_worker_shard_consumer_restarts_total', 'shard');
}

/** What Postgres holds for the run. */
export interface StoreFigures {
  stored: number;
  distinctIds: number;
  /** Distinct load ids (`sid`) among the stored exchanges' URLs. */
  distinctSids: number;
  /** Stored exchanges whose load id the candidate never received. */
  notSeenByCandidate: number;
  deadLetters: number;
  /** Stored exchanges by the candidate's outcome. */
  candidateOutcomes: Record<string, number>;
}

/** Stored exchanges and dead letters of one run. */
export async function storeFigures(pool: pg.Pool, run: string, candidateSeen?: ReadonlySet<string>): Promise<StoreFigures> {
  const { rows } = await pool.query<{ url: string; id: string; candidate_outcome: string }>(
    'SELECT e.url, e.id, e.candidate_outcome FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = $1',
    [run],
  );
  const sids = new Set<string>();
  const candidateOutcomes: Record<string, number> = {};
  let notSeenByCandidate = 0;
  for (const row of rows) {
    const sid = new URL(row.url, 'http://x').searchParams.get('sid') ?? '';
    sids.add(sid);
    if (candidateSeen && !candidateSeen.has(sid)) notSeenByCandidate++;
    candidateOutcomes[row.candidate_outcome] = (candidateOutcomes[row.candidate_outcome] ?? 0) + 1;
  }
  const dead = await pool.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters WHERE run_name = $1 OR run_name IS NULL', [run]);
  return {
    stored: rows.length,
    distinctIds: new Set(rows.map((row) => row.id)).size,
    distinctSids: sids.size,
    notSeenByCandidate,
    deadLetters: Number(dead.rows[0]!.n),
    candidateOutcomes,
  };
}

/** Counts only the run's stored exchanges and dead letters, cheaply, while waiting for the queue to drain. */
export async function storedCount(pool: pg.Pool, run: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = $1)
          + (SELECT count(*) FROM dead_letters WHERE run_name = $1 OR run_name IS NULL) AS n`,
    [run],
  );
  return Number(rows[0]!.n);
}
