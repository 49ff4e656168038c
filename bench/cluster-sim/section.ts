/** The `## Cluster simulation` section of bench/README.md, from one run's result. */
import { checkTable, figureTable, type Check, type SimResult } from './reconcile.ts';

/** What the workers' watchdogs did: a shard's consumer is made anew when its batches wait and it takes none (`worker.stuckShardMs`). */
function restartsSentence(result: SimResult): string {
  const entries = Object.entries(result.consumerRestarts ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'No worker found a queue shard whose batches waited untaken (`worker.stuckShardMs`): no consumer was made anew.';
  const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
  const masterOf = (shard: string): string => {
    const master = result.shards.find((s) => String(s.shard) === shard)?.master;
    return master === undefined ? '' : ` (on master ${master})`;
  };
  const list = entries.map(([shard, n]) => `shard ${shard}${masterOf(shard)} ${times(n)}`).join(', ');
  return `The surviving workers found a queue shard whose batches waited untaken for \`worker.stuckShardMs\` while they had room, and made its consumer anew: ${list}.`;
}

/** Why captures were refused as backlog_full, when some were: the machine's workers fell behind the taps. */
function backlogSentence(result: SimResult): string {
  const refused = result.taps.reduce((sum, tap) => sum + (tap.dropped.backlog_full ?? 0), 0);
  if (refused === 0) return '';
  return ` The workers, on the same cores as everything else, stored fewer captures than the taps offered: the queue reached its bound (\`tap.maxQueuedBatches\`) and the taps dropped ${refused.toLocaleString('en')} captures as backlog_full, counted like every other drop.`;
}

/** The section's markdown, heading included. */
export function simSection(result: SimResult, checks: Check[], held: boolean): string {
  const { settings, faults } = result;
  const failed = checks.filter((c) => !c.held);
  return [
    '## Cluster simulation',
    '',
    `\`npm run bench:cluster-sim\` — two taps, three workers and the API, each the compiled binary in a process of its own, on a real 3-master Redis Cluster (no replicas, AOF fsync always) with the captures spread over ${settings.shards} queue shards, and embedded Postgres; loopback upstreams only. Open-loop traffic for ${settings.seconds} s at ${settings.rate} requests/s into each tap: GET /items, /users (a quarter of them answered differently by the candidate), /search (a fifth reordered), POST /orders with JSON bodies (mirrored by an allowUnsafe rule; the candidate answers 201; one in thirty is larger than \`tap.maxBodyBytes\`, so dropped as request_too_large), POST /admin/reindex (not mirrored: unsafe_method), GET /healthz (excluded route), and GET /reports, where the candidate resets a third of the connections and answers another third after the ${settings.shadowTimeoutMs} ms shadow timeout; the primary resets one /items request in a thousand (primary_error). Each request carries its own id in the query, which the candidate notes.`,
    '',
    ...(settings.seconds !== 180 || settings.rate !== 300 ? [`These figures come from a shorter run than the default (\`--seconds ${settings.seconds} --rate ${settings.rate}\`; the default is 180 s at 300 requests/s per tap).`, ''] : []),
    `Faults: worker 0 was SIGKILLed at ${faults.workerKilledAtS.toFixed(0)} s (after storing ${faults.storedByKilledWorker.toLocaleString('en')} captures) and not restarted: a batch it held is taken over by the two others once its lock expires (\`worker.lockDurationMs\` ${settings.lockDurationMs.toLocaleString('en')} ms, stalled check as often), and stored once since the capture id is the primary key (the surviving workers met ${(result.workers.duplicate ?? 0).toLocaleString('en')} captures already stored: batches processed again after a worker or a master went away). Master ${faults.masterKilled}, which holds shard${faults.shardsOnKilledMaster.length === 1 ? '' : 's'} ${faults.shardsOnKilledMaster.join(', ') || 'none'}, was SIGKILLed at ${faults.masterKilledAtS.toFixed(0)} s and restarted from its AOF 3 s later; the cluster was ok again ${faults.masterAwayS.toFixed(1)} s after the kill. ${restartsSentence(result)} After the traffic, the queue drained in ${result.drainS.toFixed(1)} s (the API's /readyz: ${result.readyz.status}, ${result.readyz.waitingCaptures ?? '?'} captures waiting).${backlogSentence(result)}`,
    '',
    ...figureTable(result),
    '',
    ...checkTable(checks),
    '',
    held
      ? 'The reconciliation held: every request sent is counted by a tap as mirrored, not mirrored or dropped by reason; every mirrored capture was queued or dropped by reason; every queued capture was stored once or dead-lettered; no request was copied or stored twice.'
      : `The reconciliation did **not** hold: ${failed.map((c) => `${c.name} (${c.left.toLocaleString('en')} ≠ ${c.right.toLocaleString('en')})`).join('; ')}.`,
    '',
  ].join('\n');
}
