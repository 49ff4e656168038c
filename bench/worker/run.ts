/**
 * Worker throughput: captures pre-loaded in the queue, one worker, time until every exchange is
 * committed in Postgres. The diff step's share of it is measured apart: the same captures diffed
 * (`diffExchange`) on this thread, and that time taken out of the pipeline's time per exchange.
 * Then the replay case: `shadowdiff replay` of a recording, end to end, against the worker's own
 * rate. Real redis-server and embedded Postgres on this machine.
 *
 * Each replay round measures the worker alone (~2 KB) first, so each ratio compares figures taken
 * on the machine as busy as it then was.
 *
 *   npm run bench:worker [-- --captures 20000 --concurrency 8 --sizes 1024,2048,10240,102400 --replay-requests 20000 --replay-rounds 3 --replay-concurrency N]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import pg from 'pg';
import { silentLogger, type Capture } from '@shadowdiff/core';
import { createDiffOptions, diffExchange } from '@shadowdiff/diff';
import { startEmbeddedPostgres, startLocalRedis } from '@shadowdiff/local-infra';
import { writeSection } from '../readme-sections.ts';
import { publishFigures } from '../performance.ts';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, CAPTURE_QUEUE, captureBatchJobId, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { createPool, migrate } from '@shadowdiff/store';
import { orderCapture } from '@shadowdiff/testkit';
import { measureReplay, spreadOf, type ReplayRound } from './replay-case.ts';
import { createCaptureWorker } from '@shadowdiff/worker';

const { values } = parseArgs({
  options: {
    captures: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    sizes: { type: 'string', default: '2048,1024,10240,102400' },
    batch: { type: 'string', default: '100' },
    'replay-requests': { type: 'string', default: '20000' },
    'replay-rounds': { type: 'string', default: '3' },
    /** Unset: the command's own default at `--speed max`. */
    'replay-concurrency': { type: 'string' },
  },
});
const concurrency = Number(values.concurrency);
const batchSize = Number(values.batch);
const sizes = values.sizes!.split(',').map(Number);

/** The same mix of captures as the queue gets: 10% with differences. */
const capturesOf = (size: number, from: number, count: number): Capture[] =>
  Array.from({ length: count }, (_, k) => orderCapture('bench', { bytes: size, differs: (from + k) % 10 === 0 }));

/**
 * Seconds per capture of the whole diff step, `diffExchange` (decoding, parsing and comparing
 * both bodies), on this thread (the worker diffs on its one JavaScript thread too), after a
 * warm-up pass. Identical bodies are compared by their bytes and never parsed, so subtracting a
 * parse-only pass would take out work the step does not do.
 */
function diffStepSeconds(size: number, count: number): number {
  const captures = capturesOf(size, 0, Math.min(count, 5000));
  const options = createDiffOptions({});
  const time = (step: (capture: Capture) => void): number => {
    for (const capture of captures) step(capture);
    const started = performance.now();
    for (const capture of captures) step(capture);
    return (performance.now() - started) / 1000 / captures.length;
  };
  return time((capture) => void diffExchange(capture, options));
}

/** Exchanges per second through one worker, from its start until every exchange is committed. */
/** What one size's run measured: the worker's rate, and what the queue and the database took on the way. */
interface Measured {
  /** Exchanges per second through the worker. */
  full: number;
  /** Captures per second one producer queued into Redis (batches of `batchSize`, 20 batches a round trip). */
  queued: number;
  /** Redis memory per queued capture, in bytes. */
  redisBytes: number;
  /** Database growth per stored exchange (rows, differences, counters, indexes), in bytes. */
  storedBytes: number;
  /** Request and response bodies of one exchange whose bodies are kept, as stored (jsonb, compressed), in bytes. */
  keptBodyBytes: number;
}

async function measure(env: { redisUrl: string; adminUrl: string }, size: number, count: number): Promise<Measured> {
  const database = `bench_full_${size}`;
  const admin = new pg.Client({ connectionString: env.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(env.adminUrl);
  url.pathname = `/${database}`;
  const pool = createPool(url.toString(), { max: concurrency + 2 });
  await migrate(pool);

  const prefix = `bench-full-${size}`;
  const connection = createProducerConnection(env.redisUrl, { enableOfflineQueue: true });
  const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
  await queue.obliterate({ force: true }).catch(() => undefined);
  const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await connection.info('memory'))![1]);
  const databaseBytes = async (): Promise<number> => Number((await pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
  const memoryBefore = await usedMemory();
  const bytesBefore = await databaseBytes();
  const queueing = performance.now();
  for (let i = 0; i < count; i += batchSize * 20) {
    const jobs = [];
    for (let j = i; j < Math.min(count, i + batchSize * 20); j += batchSize) {
      const captures = capturesOf(size, j, Math.min(batchSize, count - j));
      jobs.push({ name: CAPTURE_BATCH_JOB, data: { captures }, opts: { ...CAPTURE_JOB_OPTIONS, jobId: captureBatchJobId(captures) } });
    }
    await queue.addBulk(jobs);
  }
  const queued = count / ((performance.now() - queueing) / 1000);
  const redisBytes = ((await usedMemory()) - memoryBefore) / count;

  const started = performance.now();
  const worker = createCaptureWorker({
    redisUrl: env.redisUrl,
    pool,
    diffOptions: createDiffOptions({}),
    concurrency,
    keepIdenticalShare: 0,
    logger: silentLogger(),
    queuePrefix: prefix,
  });
  for (;;) {
    const { rows } = await pool.query('SELECT coalesce(sum(exchanges), 0)::bigint AS n FROM route_stats');
    if (rows[0].n >= count) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await pool.query('CHECKPOINT');
  const storedBytes = ((await databaseBytes()) - bytesBefore) / count;
  const { rows: kept } = await pool.query<{ b: string | null }>(
    `SELECT avg(coalesce(pg_column_size(request), 0) + coalesce(pg_column_size(primary_response), 0) + coalesce(pg_column_size(candidate_response), 0) + coalesce(pg_column_size(secondary_response), 0)) AS b
     FROM exchanges WHERE primary_response IS NOT NULL`,
  );
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await pool.end();
  return { full: count / seconds, queued, redisBytes, storedBytes, keptBodyBytes: Number(kept[0]?.b ?? 0) };
}

const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-bench-worker-'));
const redis = await startLocalRedis({ dir: join(dir, 'redis') });
const postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), removeOnStop: true });
const env = { redisUrl: redis.url, adminUrl: postgres.adminUrl };
const rows: ({ size: number; captures: number; bare: number } & Measured)[] = [];
const replayRounds: ReplayRound[] = [];
const replayConcurrency = values['replay-concurrency'] ? Number(values['replay-concurrency']) : undefined;
try {
  // A pass not counted first: the first size measured must not pay for the JIT and a cold database alone.
  await measure(env, 2048, 2000);
  for (const size of sizes) {
    // Fewer captures for big bodies keep the run short; the rate is what is compared.
    const count = Math.max(1000, Math.round(Number(values.captures) * Math.min(1, 2048 / size)));
    const measured = await measure(env, size, count);
    const { full } = measured;
    // The pipeline's time per exchange with the diff step's own time taken out.
    const bare = 1 / Math.max(1 / full - diffStepSeconds(size, count), Number.EPSILON);
    rows.push({ size, captures: count, bare, ...measured });
    console.log(`${(size / 1024).toFixed(0).padStart(4)} KB  ${String(count).padStart(6)} captures  full ${full.toFixed(0).padStart(6)}/s  bare ${bare.toFixed(0).padStart(6)}/s  diff cost ×${(bare / full).toFixed(2)}`);
  }
  for (let round = 0; Number(values['replay-requests']) > 0 && round < Number(values['replay-rounds']); round++) {
    const worker = (await measure(env, 2048, Number(values.captures))).full;
    const replayed = await measureReplay(resolve('.'), dir, env, Number(values['replay-requests']), replayConcurrency);
    replayRounds.push({ ...replayed, worker, sendRatio: replayed.sendRate / worker, storedRatio: replayed.storedRate / worker });
    console.log(`replay round ${round + 1}  worker ${worker.toFixed(0)}/s  replay sent ${replayed.sendRate.toFixed(0)}/s (×${(replayed.sendRate / worker).toFixed(2)})  stored end to end ${replayed.storedRate.toFixed(0)}/s (×${(replayed.storedRate / worker).toFixed(2)})  per CPU-second ${replayed.cpuRate?.toFixed(0) ?? '?'}`);
  }
} finally {
  await postgres.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const table = [
  '| body | captures | full pipeline (exchanges/s) | without the diff step (exchanges/s, derived) | diff cost (bare/full) |',
  '| ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${(r.size / 1024).toFixed(0)} KB | ${r.captures} | ${r.full.toFixed(0)} | ${r.bare.toFixed(0)} | ${(r.bare / r.full).toFixed(2)}× |`),
];
console.log(`\n${table.join('\n')}`);
mkdirSync('bench/results', { recursive: true });
const replay = replayRounds.length
  ? {
      requests: replayRounds[0]!.requests,
      concurrency: replayConcurrency ?? 'default',
      rounds: replayRounds,
      worker: spreadOf(replayRounds.map((r) => r.worker)),
      sendRate: spreadOf(replayRounds.map((r) => r.sendRate)),
      storedRate: spreadOf(replayRounds.map((r) => r.storedRate)),
      sendRatio: spreadOf(replayRounds.map((r) => r.sendRatio)),
      storedRatio: spreadOf(replayRounds.map((r) => r.storedRatio)),
      ...(replayRounds.every((r) => r.cpuRate)
        ? { cpuRate: spreadOf(replayRounds.map((r) => r.cpuRate!)), cpuRatio: spreadOf(replayRounds.map((r) => r.cpuRate! / r.worker)) }
        : {}),
    }
  : undefined;
writeFileSync('bench/results/worker.json', JSON.stringify({ date: new Date().toISOString(), concurrency, batchSize, rows, replay }, null, 2));
const spread = (s: { median: number; min: number; max: number }, digits: number, suffix = ''): string => `${s.median.toFixed(digits)}${suffix} (${s.min.toFixed(digits)}${suffix} to ${s.max.toFixed(digits)}${suffix})`;
const twoKb = rows.find((r) => r.size === 2048);
const worst = rows.reduce((a, b) => (b.bare / b.full > a.bare / a.full ? b : a));
const section = [
  '## Worker',
  '',
  `\`npm run bench:worker\` — captures pre-loaded in the queue (batches of ${batchSize}, 10% with differences: the order total and one item's price), one worker process with concurrency ${concurrency}, timed from the worker's start until every exchange is committed in Postgres (counters and latency sketches included), after a pass of 2,000 captures not counted. The full pipeline (decode, parse, diff, classify, store) is measured through the worker; the pipeline without the diff step is derived from it: the same captures are diffed (\`diffExchange\`: decoding, parsing and comparing both bodies) on the bench's thread, and that time per exchange is taken out of the pipeline's time per exchange (the worker diffs on its one JavaScript thread). Diffing in a tight loop runs warmer than inside the pipeline, so the derived figure leans towards a smaller diff cost. Real redis-server and embedded Postgres on the same 2 cores.`,
  '',
  ...table,
  '',
  ...(replay
    ? [
        `Replay: \`shadowdiff replay\` (compiled) of a GoReplay file of ${replay.requests.toLocaleString('en')} requests with ~2 KB JSON answers at \`--speed max\` (${replay.concurrency === 'default' ? 'its default concurrency' : `${replay.concurrency} in flight`}) against a local candidate, its own worker and API started as \`npm start\` does, on the same Redis and Postgres; ${replayRounds.length} rounds, each after the worker alone was measured again (~2 KB, ${Number(values.captures).toLocaleString('en')} captures pre-loaded), medians with the lowest and highest round in brackets. The sending rate is the replay's own: requests sent and their captures queued in Redis a second, from the first request to the last batch queued. End to end is from the first request to the last exchange stored. On this one 2-core machine the replay, its candidate, Redis, Postgres and the worker share the cores, so the worker runs slower while the replay sends than alone, and end to end includes the worker's share of the cores.`,
        '',
        '| replay | worker alone (exchanges/s) | replay (/s) | ÷ worker alone |',
        '| --- | ---: | ---: | ---: |',
        `| sent and queued | ${spread(replay.worker, 0)} | ${spread(replay.sendRate, 0)} | ${spread(replay.sendRatio, 2, '×')} |`,
        `| stored, end to end | ${spread(replay.worker, 0)} | ${spread(replay.storedRate, 0)} | ${spread(replay.storedRatio, 2, '×')} |`,
        ...(replay.cpuRate && replay.cpuRatio
          ? [`| sent per second of the replay's own CPU (derived) | ${spread(replay.worker, 0)} | ${spread(replay.cpuRate, 0)} | ${spread(replay.cpuRatio, 2, '×')} |`]
          : []),
        '',
        ...(replay.cpuRate
          ? [
              "The last row divides the requests sent by the CPU time the replay's own process used from the start of sending until every exchange was stored (its worker and API are processes of their own; waiting for the store costs it little): the rate it would send at with a core to itself, against the worker's rate on the whole machine. It is derived, not measured, and shown beside the measured rates, not instead of them.",
              '',
            ]
          : []),
        `Target: the replay never the bottleneck, its sending rate at least the worker's own throughput (≥ 1.00×): ${replay.sendRatio.median >= 1 ? 'met' : 'missed'}, ${replay.sendRatio.median.toFixed(2)}× (median); end to end ${replay.storedRatio.median.toFixed(2)}× the worker alone.`,
        '',
      ]
    : []),
  `Along the way (the figures the capacity plan, \`docs/capacity.md\`, starts from): one producer queued ${twoKb ? Math.round(twoKb.queued).toLocaleString('en') : '?'} captures/s of ~2 KB into Redis, which held ${twoKb ? (twoKb.redisBytes / 1024).toFixed(1) : '?'} KiB per queued capture; the database grew by ${twoKb ? (twoKb.storedBytes / 1024).toFixed(1) : '?'} KiB per stored exchange (10% of them with their bodies kept), and an exchange's kept bodies take ${twoKb ? (twoKb.keptBodyBytes / 1024).toFixed(1) : '?'} KiB as stored.`,
  '',
  `Targets: at least 5,000 exchanges/s with ~2 KB bodies (${twoKb ? `${twoKb.full >= 5000 ? 'met' : 'missed'}: ${twoKb.full.toFixed(0)}` : 'not measured'}), and the diff step costing no more than 1.5× the bare pipeline (worst: ${(worst.bare / worst.full).toFixed(2)}× at ${(worst.size / 1024).toFixed(0)} KB, ${worst.bare / worst.full <= 1.5 ? 'met' : 'missed'}). Throughput falls with body size because every byte is base64-decoded, parsed twice and, for differing exchanges and a sample of identical ones, stored as jsonb.`,
  '',
].join('\n');
writeSection('bench/README.md', 'Worker', section);
publishFigures('.');
