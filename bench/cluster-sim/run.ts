/**
 * A shadowdiff cluster simulated on one machine: two taps, three workers and the API (each a
 * process) on a real 3-master Redis Cluster and embedded Postgres, mixed open-loop traffic
 * through both taps, one worker SIGKILLed at a third of the time (not restarted: the two others
 * take over its batch once its lock expires) and one master killed at half the time and
 * restarted a few seconds later. Once the traffic has stopped and the queue has drained, every
 * count must reconcile exactly; the run exits non-zero when one does not.
 *
 *   npm run bench:cluster-sim [-- --seconds 180 --rate 300 --shards 6 --lock-ms 10000]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { consumerRestarts, droppedWhen, storeFigures, storedCount, tapFigures, workerFigures } from './figures.ts';
import { checksOf, checkTable, figureTable, type LoadFigures, type SimResult } from './reconcile.ts';
import { simSection } from './section.ts';
import { shardBacklogs } from './shard-backlog.ts';
import { startStack, type Stack } from './stack.ts';
import { writeSection } from '../readme-sections.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    rate: { type: 'string', default: '300' },
    shards: { type: 'string', default: '6' },
    'lock-ms': { type: 'string', default: '10000' },
  },
});
const settings = { seconds: Number(values.seconds), rate: Number(values.rate), shards: Number(values.shards), lockDurationMs: Number(values['lock-ms']), shadowTimeoutMs: 1000 };
const bad = Object.entries(settings).filter(([, v]) => !Number.isInteger(v) || v <= 0);
if (bad.length > 0) throw new Error(`bench:cluster-sim: ${bad.map(([k, v]) => `${k} must be a positive whole number, not ${v}`).join('; ')}`);
if (settings.seconds < 10) throw new Error('bench:cluster-sim: --seconds must be at least 10, so both faults happen while traffic flows');

const RUN = 'cluster-sim';
const root = resolve('.');
let stopStack: (() => Promise<void>) | undefined;
const loads: ReturnType<typeof spawn>[] = [];
const cleanUp = async (): Promise<void> => {
  for (const load of loads) if (load.exitCode === null && load.signalCode === null) load.kill('SIGKILL');
  await stopStack?.();
  stopStack = undefined;
};
// Bounded whatever happens: traffic, then at most this long for draining, checking and cleaning up.
const watchdog = setTimeout(() => {
  process.stderr.write('bench:cluster-sim: out of time, stopping\n');
  void cleanUp().finally(() => process.exit(2));
}, (settings.seconds + 300) * 1000);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:cluster-sim: ${signal}, stopping\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** One load generator into `tapUrl`, in a process of its own. */
function runLoad(tapUrl: string, tag: string): Promise<LoadFigures> {
  const child = spawn(process.execPath, ['--import', '@shadowdiff/core/source-mode', 'bench/cluster-sim/load.ts', tapUrl, String(settings.rate), String(settings.seconds), tag], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  loads.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolveLoad, reject) =>
    child.once('exit', (code) => (code === 0 ? resolveLoad(JSON.parse(out) as LoadFigures) : reject(new Error(`load ${tag} exited ${code}: ${out}`)))),
  );
}

/** Polls `done` every 250 ms for at most `timeoutMs`; resolves with whether it came true. */
async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
  return true;
}

async function simulate(s: Stack): Promise<SimResult> {
  const { cluster } = s;
  // The master holding the most shards is the one killed.
  const shardsOn = (master: number): number[] => Array.from({ length: settings.shards }, (_, i) => i).filter((i) => cluster.masterOf(`{bull-${i}}`) === master);
  const masterKilled = [0, 1, 2].reduce((best, m) => (shardsOn(m).length > shardsOn(best).length ? m : best), 0);
  console.log(`shards per master: ${[0, 1, 2].map((m) => `${m}: [${shardsOn(m).join(', ')}]`).join('  ')}`);

  const t0 = performance.now();
  const at = (): number => (performance.now() - t0) / 1000;
  const traffic = Promise.all(s.taps.map((tap, i) => runLoad(tap.url, `t${i}`)));

  await sleep((settings.seconds / 3) * 1000);
  const storedByKilledWorker = (await workerFigures(s.workers[0]!.admin)).stored ?? 0;
  const workerKilledAtS = at();
  s.workers[0]!.cli.child.kill('SIGKILL');
  console.log(`${workerKilledAtS.toFixed(1)} s: worker 0 killed (SIGKILL) after storing ${storedByKilledWorker}; not restarted`);

  await sleep(Math.max(0, settings.seconds / 2 - at()) * 1000);
  const masterKilledAtS = at();
  await cluster.restartMaster(masterKilled, 3000);
  const masterAwayS = at() - masterKilledAtS;
  console.log(`${masterKilledAtS.toFixed(1)} s: master ${masterKilled} killed, restarted after 3 s, cluster ok after ${masterAwayS.toFixed(1)} s`);

  const load = await traffic;
  const trafficEnd = performance.now();
  console.log(`${at().toFixed(1)} s: traffic done; waiting for the taps to settle and the queue to drain`);
  // Every mirrored capture queued or counted dropped (a batch may be sent again for up to 5 s).
  const settled = async (): Promise<boolean> =>
    (await Promise.all(s.taps.map((tap) => tapFigures(tap.admin)))).every((t) => t.mirrored === t.queued + droppedWhen(t, false));
  await until(settled, 30_000);
  await sleep(500);
  const taps = await Promise.all(s.taps.map((tap) => tapFigures(tap.admin)));
  const queued = taps.reduce((sum, t) => sum + t.queued, 0);
  // A killed worker's batch waits for its lock to expire and the next stalled check.
  await until(async () => (await storedCount(s.pool, RUN)) >= queued, settings.lockDurationMs * 3 + 30_000);
  const drainS = (performance.now() - trafficEnd) / 1000;
  // A little longer, so a capture stored twice or late would still show.
  await sleep(2000);
  const readyRes = await fetch(`${s.api.url}/readyz`);
  const ready = (await readyRes.json()) as { backlog?: { waitingCaptures?: number } };
  const survivors = await Promise.all(s.workers.slice(1).map((w) => workerFigures(w.admin)));
  const workers: Record<string, number> = {};
  for (const figures of survivors) for (const [k, v] of Object.entries(figures)) workers[k] = (workers[k] ?? 0) + v;
  const restarts: Record<string, number> = {};
  for (const figures of await Promise.all(s.workers.slice(1).map((w) => consumerRestarts(w.admin)))) {
    for (const [shard, n] of Object.entries(figures)) restarts[shard] = (restarts[shard] ?? 0) + n;
  }
  return {
    date: new Date().toISOString(),
    settings,
    faults: { workerKilledAtS, storedByKilledWorker, masterKilled, shardsOnKilledMaster: shardsOn(masterKilled), masterKilledAtS, masterAwayS },
    load,
    taps,
    workers,
    store: await storeFigures(s.pool, RUN, s.candidate.seen),
    candidate: { received: s.candidate.received(), distinct: s.candidate.seen.size },
    drainS,
    readyz: { status: readyRes.status, waitingCaptures: ready.backlog?.waitingCaptures ?? null },
    shards: shardBacklogs(cluster, settings.shards),
    consumerRestarts: restarts,
  };
}

let held = false;
try {
  const stack = await startStack({ root, shards: settings.shards, lockDurationMs: settings.lockDurationMs, shadowTimeoutMs: settings.shadowTimeoutMs, run: RUN }, (stop) => (stopStack = stop));
  console.log(`started: 2 taps, 3 workers, the API; ${settings.shards} queue shards on 3 masters; ${settings.seconds} s at ${settings.rate} requests/s per tap`);
  const result = await simulate(stack);
  const checks = checksOf(result);
  held = checks.every((c) => c.held);
  console.log(`\n${figureTable(result).join('\n')}\n\n${checkTable(checks).join('\n')}\n`);
  console.log(`drained ${result.drainS.toFixed(1)} s after the traffic; /readyz ${result.readyz.status}, ${result.readyz.waitingCaptures} captures waiting`);
  console.log(`stuck shard consumers made anew: ${Object.entries(result.consumerRestarts).map(([shard, n]) => `shard ${shard}: ${n}`).join(', ') || 'none'}`);
  const left = result.shards.filter((s) => s.waiting !== 0 || s.active !== 0 || s.delayed !== 0);
  for (const s of left) console.log(`shard ${s.shard} (master ${s.master}): ${s.waiting} batches waiting, ${s.active} active, ${s.delayed} delayed`);
  console.log(held ? 'reconciliation held' : 'reconciliation FAILED');
  if (!held) for (const [i, w] of stack.workers.entries()) process.stderr.write(`worker ${i} stderr, last lines:\n${w.cli.stderr().slice(-1500)}\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cluster-sim.json', `${JSON.stringify({ ...result, checks, held }, null, 2)}\n`);
  writeSection('bench/README.md', 'Cluster simulation', simSection(result, checks, held));
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
process.exit(held ? 0 : 1);
