/**
 * `shadowdiff replay`: rehearses a release on recorded traffic. Reads a recording (HAR, GoReplay
 * or shadowdiff's own export), starts the pipeline on this machine as `up` does (without a tap),
 * sends each request to the candidate (and the primary again, and the secondary) as the tap
 * would, files the results under a run like live traffic, then prints the results table and the
 * gate's verdict. Ctrl-C stops sending; what was sent is filed, and `--resume` carries on.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { Registry } from 'prom-client';
import { createLogger } from '@shadowdiff/core';
import { readRecording } from '@shadowdiff/recordings';
import { recordingOfRun } from '../replay/stored-run.ts';
import { countExchanges, findRun } from '@shadowdiff/store';
import { parsePace, replayIntoRun, type RedactedPolicy, type FiledReplay } from '@shadowdiff/tap';
import { createApiClient } from '../api-client.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';
import { readReplayState, replayStatePath, writeReplayState, type ReplayState } from '../replay/replay-state.ts';
import { showReplayProgress } from '../replay/replay-progress.ts';
import { describeReplay } from '../replay/replay-summary.ts';
import { startStack } from '../stack.ts';
import { createSupervisor } from '../supervisor.ts';
import { printRunSummary } from '../summary.ts';
import { printGateResult } from './gate.ts';
import { printAddresses, waitForStored } from '../stack-output.ts';
import type { GateResult } from '@shadowdiff/api';

interface ReplayFlags extends Record<string, unknown> {
  from?: string;
  fromRun?: string;
  rate?: string;
  speed?: string;
  concurrency?: number;
  allowUnsafe?: boolean;
  limit?: number;
  redacted: RedactedPolicy;
  resume?: boolean;
  fresh?: boolean;
}

export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .description('replay recorded traffic (HAR, GoReplay, shadowdiff export) against the candidate, file it under a run like live traffic, and print the results and the gate')
    .option('--from <file>', 'the recording: a HAR file, a GoReplay file (.gz too) or `shadowdiff export` output')
    .option('--from-run <run>', "a stored run's requests (every exchange keeps its request), sent again")
    .addOption(new Option('--rate <n/s>', 'requests a second (default: the recorded pace, see --speed)'))
    .addOption(new Option('--speed <factor>', 'the recorded timing scaled: 1x, 2x, 0.5x, or max'))
    .addOption(new Option('--concurrency <n>', 'requests in flight at most (default: 16, or 64 at --speed max)').argParser(Number))
    .addOption(new Option('--allow-unsafe', 'also replay POST, PUT, PATCH and DELETE (the candidate must use isolated data)'))
    .addOption(new Option('--limit <n>', 'replay the first n exchanges only').argParser(Number))
    .addOption(new Option('--redacted <policy>', 'requests whose stored values were redacted: skip them, send them as stored, or fill redacted headers from SHADOWDIFF_REPLAY_HEADER_<NAME>').choices(['skip', 'send', 'env']).default('skip'))
    .addOption(new Option('--resume', 'carry on a stopped replay of the same recording into the same run, sending nothing twice'))
    .addOption(new Option('--fresh', 'start over although a stopped replay of the same recording into the same run could be resumed (what it stored stays, and is stored again)').conflicts('resume'));
  addServiceOptions(command, ['primary', 'candidate', 'secondary', 'run', 'apiPort', 'workerAdminPort', 'stateDir', 'logLevel']);
  command.action((flags: ReplayFlags) => replay(flags));
}

async function replay(flags: ReplayFlags): Promise<void> {
  const config = configFromFlags(flags);
  const logger = createLogger({ level: config.log.level, stderr: true });
  if (!config.upstreams.candidate) throw new Error('give the candidate to replay against (--candidate URL)');
  const pace = parsePace({ ...(flags.rate !== undefined ? { rate: flags.rate } : {}), ...(flags.speed !== undefined ? { speed: flags.speed } : {}) });
  // At --speed max only the round trips pace the replay: requests a second are at most those in
  // flight over the candidate's latency (16 over 5 ms: 3,200/s), so more are kept in flight.
  const concurrency = flags.concurrency ?? (pace.kind === 'max' ? 64 : 16);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a whole number ≥ 1');
  if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1)) throw new Error('--limit must be a whole number ≥ 1');
  if ((flags.from === undefined) === (flags.fromRun === undefined)) throw new Error('give the traffic to replay: --from FILE or --from-run RUN (one of them)');
  const source = flags.from ?? `run ${flags.fromRun}`;
  // A file is read (and refused when damaged) before anything starts; a run once the API is up.
  const fileRecording = flags.from !== undefined ? await readRecording(flags.from) : undefined;
  if (config.run === 'default' && flags.run === undefined) config.run = flags.fromRun ? `${flags.fromRun}-replay` : 'replay';

  const registry = new Registry();
  const supervisor = createSupervisor({ logger, registry });
  const stack = await startStack(config, logger, { supervisor, registry, withTap: false }).catch(async (error: unknown) => {
    await supervisor.stop();
    throw error;
  });
  const out = process.stdout;
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) return;
    process.stderr.write('\nstopping: no new requests; those in flight are filed…\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    printAddresses(stack, config);
    const client = createApiClient({ api: stack.api.url, ...(typeof flags.config === 'string' ? { config: flags.config } : {}) });
    const recording = fileRecording ?? (await recordingOfRun(client, flags.fromRun!));
    const exchanges = flags.limit !== undefined ? recording.exchanges.slice(0, flags.limit) : recording.exchanges;
    const statePath = replayStatePath(config.stateDir, config.run, recording.id);
    const previous = readReplayState(statePath);
    // Starting over by accident would store a stopped replay's exchanges a second time.
    if (previous && !previous.finished && !flags.resume && !flags.fresh) {
      throw new Error(`a stopped replay of ${source} into run "${config.run}" sent ${previous.done.size} of ${previous.total}: --resume carries on, --fresh starts over`);
    }
    const saved = flags.resume ? previous : undefined;
    if (flags.resume && !saved) throw new Error(`nothing to resume: no stopped replay of ${source} into run "${config.run}"`);
    if (saved?.finished) throw new Error(`the replay of ${source} into run "${config.run}" already finished; replay without --resume to send it again`);
    const state: ReplayState = saved ?? { recordingId: recording.id, run: config.run, startedAtMs: Date.now(), total: exchanges.length, done: new Set(), finished: false };
    out.write(`\nReplaying ${exchanges.length} exchanges from ${source} (${recording.format}) into run "${config.run}"${saved ? `, resuming after ${saved.done.size}` : ''}: ${config.upstreams.primary ? 'the primary is called again' : 'the recorded responses stand for the primary'}.\n`);
    const runBefore = await findRun(stack.pool, config.run);
    const storedBefore = runBefore ? await countExchanges(stack.pool, runBefore.id) : 0;
    const view = showReplayProgress(exchanges.length - state.done.size);
    let lastSave = 0;
    const save = (): void => writeReplayState(statePath, state);
    const note = (index: number, progress: Parameters<typeof view.update>[0]): void => {
      state.done.add(index);
      view.update(progress);
      if (Date.now() - lastSave > 1000) {
        save();
        lastSave = Date.now();
      }
    };
    let result: FiledReplay;
    const replayStarted = performance.now();
    try {
      result = await replayIntoRun(
        config,
        {
          exchanges, recordingId: recording.id, replayOf: flags.from ? basename(flags.from) : `run ${flags.fromRun}`, startedAtMs: state.startedAtMs, pace, concurrency,
          allowUnsafe: flags.allowUnsafe === true, redacted: flags.redacted, done: state.done, signal: stop.signal,
          // A skipped exchange is not done: `--resume --allow-unsafe` (or `--redacted env`) sends it.
          redisUrl: stack.infra.redisUrl, onSent: note, onSkipped: (_index, _reason, _detail, progress) => view.update(progress),
        },
        logger,
      );
    } catch (error) {
      view.stop();
      save();
      throw error;
    }
    view.stop();
    // A capture Redis never took cannot be told apart from those it did: the next --resume sends
    // everything again, and the deterministic capture ids store each exchange once.
    const lost = Object.values(result.dropped).reduce((a, b) => a + (b ?? 0), 0);
    if (lost > 0) state.done.clear();
    state.finished = !result.stopped && lost === 0;
    save();
    // The workers create the run with its first batch: until then it has no exchanges.
    const storedNow = async (): Promise<number> => {
      const run = await findRun(stack.pool, config.run);
      return run ? countExchanges(stack.pool, run.id) : 0;
    };
    const stored = await waitForStored(storedNow, storedBefore + result.filed - lost, 60_000);
    out.write(describeReplay(result, stored - storedBefore, source, performance.now() - replayStarted));
    if (result.filed > 0) {
      await printRunSummary(client, config.run, out);
      const gate = await client.json<GateResult>('POST', `/runs/${encodeURIComponent(config.run)}/gate`, {});
      out.write('\n');
      printGateResult(gate, out);
    }
    if (lost > 0) out.write(`\n${lost} captures never reached the queue: \`shadowdiff replay --resume\` sends the recording again, and what was stored is stored once.\n`);
    if (result.stopped) out.write(`\nStopped after ${state.done.size} of ${exchanges.length}: \`shadowdiff replay --resume\` with the same ${flags.from ? '--from' : '--from-run'} and --run carries on.\n`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await stack.close();
  }
}
