/**
 * docs/capacity.md, worked out from the latest bench results (bench/results/*.json), so the plan
 * moves with the figures and cannot drift from them: what was measured here, and what follows
 * from it by arithmetic for 10k, 100k and 1M requests/s at ~2 KB bodies, each marked as such.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface TapResults {
  loads: { load: string; targets: { name: string; full: { rps: number }; captures: { full: { requests: number; mirrored: number } } }[] }[];
}
interface WorkerResults {
  date: string;
  concurrency: number;
  rows: { size: number; full: number; queued?: number; redisBytes?: number; storedBytes?: number; keptBodyBytes?: number }[];
}
interface ApiResults {
  date: string;
  results: { size: number; bytes: number | null; reads: { name: string; p99: number }[] }[];
  /** A kept database measured whole, when no run was filled by that bench. */
  database?: { bytes: number; exchanges: number } | null;
}
interface FreshnessResults {
  date: string;
  rate: number;
  rounds: { p50: number; p99: number }[];
}

/** The results the plan is worked out from; absent ones are said to be missing. */
export interface CapacityInputs {
  tap?: TapResults;
  worker?: WorkerResults;
  api?: ApiResults;
  freshness?: FreshnessResults;
}

export function readCapacityInputs(root: string): CapacityInputs {
  const read = <T>(name: string): T | undefined => {
    const file = join(root, 'bench/results', `${name}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
  };
  return { tap: read('tap'), worker: read('worker'), api: read('api'), freshness: read('freshness') };
}

const LOADS = [10_000, 100_000, 1_000_000];
/** Share of a measured rate a unit is planned to run at, leaving room for bursts and a lost unit. */
const HEADROOM = 0.6;
const KEEP_SHARES = [0.01, 0.1];
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const bytesText = (bytes: number): string => {
  const [unit, scale] = bytes >= 2 ** 40 ? ['TiB', 2 ** 40] : bytes >= 2 ** 30 ? ['GiB', 2 ** 30] : ['MiB', 2 ** 20];
  const value = bytes / scale;
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ${unit}`;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const short = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

export function capacityPlan(inputs: CapacityInputs): string {
  // Planning for every request mirrored: the tap that never sheds copies, however busy it gets.
  const tapTarget = inputs.tap?.loads.find((l) => l.load === 'idle')?.targets.find((t) => t.name === 'shadowdiff tap, 100% mirrored, never shedding');
  const tapRate = tapTarget?.full.rps;
  const mirroredShare = tapTarget ? tapTarget.captures.full.mirrored / tapTarget.captures.full.requests : undefined;
  const twoKb = inputs.worker?.rows.find((r) => r.size === 2048);
  const largestApi = inputs.api?.results.at(-1);
  const database = inputs.api?.database;
  const rowBytes = inputs.api?.results.filter((r) => r.bytes !== null).map((r) => r.bytes! / r.size).at(-1) ?? (database ? database.bytes / database.exchanges : undefined);
  const missing = (bench: string): string => `not measured yet (run \`npm run ${bench}\`)`;

  const measured = [
    '| unit | measured here | bench |',
    '| --- | --- | --- |',
    `| one tap, full load, 100% mirrored, never shedding (\`tap.shedCopiesAbove: 1\`) | ${tapRate ? `${int(tapRate)} requests/s (median of the rounds), ${((mirroredShare ?? 0) * 100).toFixed(1)}% of them copied (the rest dropped and counted beyond the shadow side's in-flight bound)` : missing('bench:tap')} | \`bench:tap\` |`,
    `| one worker process (concurrency ${inputs.worker?.concurrency ?? '?'}), ~2 KB bodies | ${twoKb ? `${int(twoKb.full)} exchanges/s diffed and stored` : missing('bench:worker')} | \`bench:worker\` |`,
    `| one redis-server, one producer, ~2 KB captures | ${twoKb?.queued ? `${int(twoKb.queued)} captures/s queued; ${kib(twoKb.redisBytes!)} of memory per queued capture` : missing('bench:worker')} | \`bench:worker\` |`,
    `| Postgres, per exchange stored at ~2 KB (10% with bodies kept) | ${twoKb?.storedBytes ? `${kib(twoKb.storedBytes)} of growth; kept bodies take ${kib(twoKb.keptBodyBytes!)} of it per exchange that keeps them` : missing('bench:worker')} | \`bench:worker\` |`,
    `| Postgres, per exchange without bodies (5% with small ones) | ${rowBytes ? `${kib(rowBytes)} (tables and indexes)` : missing('bench:api')} | \`bench:api\` |`,
    `| API reads on a run of ${largestApi ? short(largestApi.size) : '?'} exchanges | ${largestApi ? `slowest p99 ${Math.max(...largestApi.reads.map((r) => r.p99)).toFixed(0)} ms (${largestApi.reads.reduce((a, b) => (b.p99 > a.p99 ? b : a)).name})` : missing('bench:api')} | \`bench:api\` |`,
    `| freshness at ${inputs.freshness ? int(inputs.freshness.rate) : '?'} requests/s, one worker | ${inputs.freshness ? `p99 ${median(inputs.freshness.rounds.map((r) => r.p99)).toFixed(0)} ms from the client's answer to the API's counts` : missing('bench:freshness')} | \`bench:freshness\` |`,
  ];

  const units = (rate: number | undefined): string[] => LOADS.map((load) => (rate ? int(Math.ceil(load / (rate * HEADROOM))) : '?'));
  const storage = (share: number): string[] =>
    LOADS.map((load) => (rowBytes && twoKb?.keptBodyBytes ? bytesText(load * 86_400 * (rowBytes + share * twoKb.keptBodyBytes)) : '?'));
  const extrapolated = [
    `| | ${LOADS.map((l) => `${short(l)} requests/s`).join(' | ')} |`,
    `| --- | ${LOADS.map(() => '---:').join(' | ')} |`,
    `| taps | ${units(tapRate).join(' | ')} |`,
    `| workers | ${units(twoKb?.full).join(' | ')} |`,
    `| Redis shards (\`redis.queueShards\` on a Redis Cluster) | ${units(twoKb?.queued).join(' | ')} |`,
    `| Redis memory for one minute of backlog | ${LOADS.map((load) => (twoKb?.redisBytes ? bytesText(load * 60 * twoKb.redisBytes) : '?')).join(' | ')} |`,
    `| Postgres writes (exchanges/s; differences add a row per differing field) | ${LOADS.map(int).join(' | ')} |`,
    ...KEEP_SHARES.map((share) => `| storage per day, bodies kept for ${share * 100}% of identical exchanges | ${storage(share).join(' | ')} |`),
  ];

  return [
    '# Capacity plan',
    '',
    'What it takes to mirror 10k, 100k and 1M requests/s with ~2 KB bodies. Generated from the latest bench results (`bench/results/*.json`) by `npm run bench:publish`, and by each bench: do not edit by hand.',
    '',
    '## Measured',
    '',
    'On one shared 2-core machine, each unit sharing its cores with everything else the bench runs (upstreams, load generator, Redis, Postgres): a dedicated host does at least as well. Full tables in `bench/README.md`.',
    '',
    ...measured,
    '',
    '## Extrapolated',
    '',
    `Arithmetic on the figures above, not measured: each unit planned at ${HEADROOM * 100}% of its measured rate (bursts, and one unit lost without falling behind), and every request mirrored. With \`mirrorPercentage\` below 100, scale the load down by it first. Storage counts every exchange without its bodies, plus the bodies of the identical exchanges kept (\`worker.keepIdenticalShare\`); exchanges with differences always keep theirs and add to it.`,
    '',
    ...extrapolated,
    '',
    '## Where each limit comes from',
    '',
    "- **Taps**: CPU. Each request is served from the primary on the tap's serving thread; its copy is sent, timed, redacted and batched on the shadow thread. A tap that cannot keep up drops copies and counts them (`shadowdiff_tap_dropped_total`), never slowing the client; by default it also sheds copies while its serving thread is busy (`tap.shedCopiesAbove`), so a tap planned below its limit keeps them all. Taps share nothing, so they scale by adding replicas behind the same Service.",
    '- **Workers**: CPU of one JavaScript thread each (decoding, parsing and diffing both bodies). Workers share nothing but the queue and Postgres; KEDA scales them on the waiting list (`deploy/kubernetes/`).',
    '- **Redis**: one thread per shard, moving every capture in and out once (its bodies, base64): bandwidth and memory per queued capture are the limit. Captures spread over `redis.queueShards` queues, each with a hash-tagged prefix, so a Redis Cluster spreads them over its masters. Memory bounds the backlog the queue can hold while workers catch up; the taps stop queueing (and count drops) at `tap.maxQueuedBatches`.',
    '- **Postgres**: write volume (rows, indexes, WAL) and disk. Exchanges and differences are partitioned by the day of their capture id and old days are dropped whole (`retention.days`, `shadowdiff prune`), so retention costs no large DELETE. Reads come from counters and per-route latency sketches, never a scan of the exchanges or differences of a run: from 100k to 10M exchanges the p99 of every read stays within a few times its smallest (`bench/README.md`). Above the write rate of one primary, mirror a share of the traffic (`mirrorPercentage`): verdicts need thousands of exchanges per route, not every request.',
    '',
  ].join('\n');
}
