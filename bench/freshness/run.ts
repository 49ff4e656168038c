/**
 * Freshness: how long after the client's answer an exchange shows up in the API's counts.
 * `shadowdiff up` (compiled, one worker) runs with a primary and a candidate of its own; traffic
 * goes through the tap at a fixed rate with 100% mirroring, while this process reads the run's
 * exchange count from the API every few milliseconds. Exchanges are stored in about the order
 * they were answered (one FIFO queue), so the k-th answer became queryable when the count first
 * reached k: its lag is that moment minus its answer. Real redis-server and embedded Postgres.
 *
 *   npm run bench:freshness [-- --rate 1000 --seconds 10 --rounds 5]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { removeStateFolder, startUp } from '@shadowdiff/testkit';
import { start } from '../tap/processes.ts';
import { writeSection } from '../readme-sections.ts';
import { publishFigures } from '../performance.ts';
import { lagsOf, quantile, type CountSample } from './lags.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    'poll-ms': { type: 'string', default: '10' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const pollMs = Number(values['poll-ms']);
const root = resolve(import.meta.dirname, '../..');
const RUN = 'freshness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The run's exchange count as the API reports it (the runs list, read from the counters). */
async function storedCount(api: string): Promise<number> {
  const res = await fetch(`${api}/api/v1/runs`);
  const body = (await res.json()) as { items: { name: string; exchanges: number }[] };
  return Number(body.items.find((run) => run.name === RUN)?.exchanges ?? 0);
}

/** Sends `rate` requests per second for `seconds` through the tap; resolves with each answer's time (ms, this clock), in order. */
async function drive(tapUrl: string): Promise<number[]> {
  const pool = new Pool(tapUrl, { connections: 32, pipelining: 1, keepAliveTimeout: 60_000 });
  const answers: number[] = [];
  const pending: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const begin = performance.now();
  for (let sent = 0; sent < total; ) {
    while (sent < total && begin + (sent * 1000) / rate <= performance.now()) {
      pending.push(
        pool.request({ method: 'GET', path: `/users/${sent % 500}` }).then(async (res) => {
          await res.body.dump();
          answers.push(performance.now());
        }),
      );
      sent++;
    }
    await sleep(1);
  }
  await Promise.allSettled(pending);
  await pool.close();
  return answers.sort((a, b) => a - b);
}

/** One round: the lags of every request it sent, in ms. */
async function round(tapUrl: string, api: string): Promise<{ lags: number[]; unseen: number }> {
  const before = await storedCount(api);
  const samples: CountSample[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      // Timed when the answer arrives: the count may have been read a little earlier, so a lag errs long, never short.
      const count = (await storedCount(api)) - before;
      samples.push({ at: performance.now(), count });
      await sleep(pollMs);
    }
  })();
  const answers = await drive(tapUrl);
  const deadline = performance.now() + 30_000;
  while ((samples.at(-1)?.count ?? 0) < answers.length && performance.now() < deadline) await sleep(50);
  polling = false;
  await poller;
  return lagsOf(answers, samples);
}

const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-bench-freshness-'));
const upstreams = await start(process.execPath, ['--import', '@shadowdiff/core/source-mode', join(root, 'bench/tap/upstreams.ts'), 'primary', 'candidate'], /^\{.*\}$/m);
const ports = JSON.parse(upstreams.match[0]) as { primary: number; candidate: number };
const stack = await startUp(
  ['--primary', `http://127.0.0.1:${ports.primary}`, '--candidate', `http://127.0.0.1:${ports.candidate}`, '--run', RUN, '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--worker-admin-port', '0', '--state-dir', join(dir, 'state')],
  { SHADOWDIFF_LOG_LEVEL: 'warn', SHADOWDIFF_MIRROR_PERCENTAGE: '100' },
  180_000,
  { checkout: root },
);
const results: { p50: number; p99: number; max: number; unseen: number }[] = [];
try {
  // Warm-up: JIT, pools and the run's first rows.
  await round(stack.tapUrl, stack.apiUrl);
  for (let i = 0; i < rounds; i++) {
    const { lags, unseen } = await round(stack.tapUrl, stack.apiUrl);
    const sorted = lags.sort((a, b) => a - b);
    results.push({ p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN, unseen });
    process.stdout.write(`round ${i + 1}: p50 ${results.at(-1)!.p50.toFixed(0)} ms, p99 ${results.at(-1)!.p99.toFixed(0)} ms, max ${results.at(-1)!.max.toFixed(0)} ms${unseen ? `, ${unseen} never seen` : ''}\n`);
  }
} finally {
  await stack.cli.stop(30_000);
  await upstreams.stop();
  // Its Postgres may live in the system folder, linked from the state folder: removed with it.
  removeStateFolder(join(dir, 'state'));
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const p50s = results.map((r) => r.p50);
const p99s = results.map((r) => r.p99);
const unseen = results.reduce((s, r) => s + r.unseen, 0);
const section = [
  '## Freshness',
  '',
  `\`npm run bench:freshness\` — how long after the client's answer an exchange shows up in the API's counts (\`GET /api/v1/runs\`), through \`shadowdiff up\` (compiled, one worker, embedded Postgres and redis-server on the same 2 cores as the upstreams and this load) at ${rate} requests/s with 100% mirroring, ${seconds} s per round, ${rounds} rounds after a warm-up round. The count is read every ${pollMs} ms plus the read's own time, which bounds the resolution. Median of the rounds, lowest and highest round in brackets.`,
  '',
  '| lag from answer to queryable | p50 | p99 | target |',
  '| --- | ---: | ---: | --- |',
  `| ${rate} req/s, one worker | ${median(p50s).toFixed(0)} ms (${spread(p50s)}) | ${median(p99s).toFixed(0)} ms (${spread(p99s)}) | p99 < 1000 ms — ${median(p99s) < 1000 ? 'met' : 'missed'} |`,
  '',
  unseen > 0 ? `${unseen} requests were never counted within 30 s of the last answer (counted as lags of infinity).\n` : 'Every request sent was counted.\n',
].join('\n');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/freshness.json'), `${JSON.stringify({ date: new Date().toISOString(), rate, seconds, pollMs, rounds: results }, null, 2)}\n`);
writeSection(join(root, 'bench/README.md'), 'Freshness', section);
publishFigures(root);
process.stdout.write(`\n${section}`);
