/**
 * What the compiled build buys, side by side in one run: the `shadowdiff` binary compiled
 * (dist/, what users run) against the same commands from the TypeScript sources through tsx.
 *
 *   npm run bench:build [-- --rounds 5 --no-write]
 *
 * - Start-up: `shadowdiff up` on two idle upstreams, from spawning it until it says it is ready
 *   (the embedded Postgres and the local redis-server already initialised by an untimed start).
 * - The tap's serving thread: CPU time per request of its main thread at 1000 requests/s with
 *   100% mirroring, read from /proc.
 *
 * Each round measures both, in alternating order, and reports compiled ÷ sources per round.
 * Writes bench/results/build.json and the `## Compiled build` section of bench/README.md
 * (`npm run bench:publish` writes that section again from the JSON).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { removeStateFolder } from '@shadowdiff/testkit';
import { writeSection } from '../readme-sections.ts';
import { COMPILED_BINARY, SOURCE_BINARY, startPeers } from '../tap/peers.ts';
import { fixedRate, requireTools } from '../tap/processes.ts';
import { spreadOf, type Spread } from '../tap/targets.ts';
import { mainThreadCpuMs, timeUpStart } from './measure.ts';
import { buildSection, type BuildRound } from './section.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'no-write': { type: 'boolean', default: false } } });
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, not ${flags.rounds}`);

const VARIANTS = [
  { name: 'compiled (dist/)', binary: COMPILED_BINARY },
  { name: 'sources (tsx)', binary: SOURCE_BINARY },
] as const;
const RATE = 1000;
const SECONDS = 10;

const tools = requireTools();
const work = mkdtempSync(join(tmpdir(), 'shadowdiff-bench-build-'));
const peers = await startPeers(root, work, { binary: tools.nginx, template: join(root, 'bench/tap/nginx-mirror.conf.template') });
const upstream = { primary: peers.origin(peers.ports.primary), candidate: peers.origin(peers.ports.candidate) };
const stateDir = join(work, 'up-state');
const results: BuildRound[] = [];
try {
  process.stderr.write('initialising the state folder (untimed start)…\n');
  await timeUpStart(resolve(root, COMPILED_BINARY), upstream, stateDir);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const result: BuildRound = { startupMs: [0, 0], cpuMicrosPerRequest: [0, 0] };
    for (const i of order) {
      const variant = VARIANTS[i]!;
      result.startupMs[i] = await timeUpStart(resolve(root, variant.binary), upstream, stateDir);
      const tap = await peers.startTap(100, peers.ports.candidate, { binary: variant.binary });
      try {
        const url = `${tap.url}/api/users/42`;
        await fixedRate(url, { rate: RATE, seconds: 3, warmSeconds: 1, connections: 32 });
        const pid = tap.pid!;
        const before = mainThreadCpuMs(pid);
        const counts = await peers.captureCounts(tap.admin!);
        await fixedRate(url, { rate: RATE, seconds: SECONDS, warmSeconds: 0.1, connections: 32 });
        const after = mainThreadCpuMs(pid);
        const served = (await peers.captureCounts(tap.admin!)).requests - counts.requests;
        result.cpuMicrosPerRequest[i] = ((after - before) * 1000) / served;
      } finally {
        await tap.stop();
        await peers.emptyRedis();
      }
      process.stderr.write(`round ${round + 1}/${rounds} ${variant.name}: start-up ${result.startupMs[i]!.toFixed(0)} ms, serving thread ${result.cpuMicrosPerRequest[i]!.toFixed(1)} µs/request\n`);
    }
    results.push(result);
  }
} finally {
  await peers.stop();
  // The state folder's Postgres data may live outside it (a folder the postgres user can enter).
  removeStateFolder(stateDir);
  rmSync(work, { recursive: true, force: true });
}

const spread = (pick: (r: BuildRound) => number): Spread => spreadOf(results.map(pick));
const figures = {
  startupMs: VARIANTS.map((_, i) => spread((r) => r.startupMs[i]!)),
  cpuMicrosPerRequest: VARIANTS.map((_, i) => spread((r) => r.cpuMicrosPerRequest[i]!)),
  startupRatio: spread((r) => r.startupMs[0]! / r.startupMs[1]!),
  cpuRatio: spread((r) => r.cpuMicrosPerRequest[0]! / r.cpuMicrosPerRequest[1]!),
};
const date = new Date().toISOString();
const section = buildSection({ date, rounds, rate: RATE, seconds: SECONDS, results, figures });
process.stdout.write(`${section}\n`);
if (!flags['no-write']) {
  writeFileSync(join(root, 'bench/results/build.json'), `${JSON.stringify({ date, rounds, rate: RATE, seconds: SECONDS, results, figures }, null, 2)}\n`);
  writeSection(join(root, 'bench/README.md'), 'Compiled build', section);
}
