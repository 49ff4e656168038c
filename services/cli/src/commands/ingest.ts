/**
 * `shadowdiff ingest --envoy-tap DIR`: hands exchanges captured by Envoy's HTTP tap to a running
 * shadowdiff. Each trace file is one side's half; they are posted to the API's ingest endpoint,
 * which joins them by x-request-id as the mesh recorders do and files the exchanges under a run
 * like live traffic. New files are followed until Ctrl-C (or, with --once, the folder is sent as
 * it is).
 */
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { loadConfig, runNameSchema } from '@shadowdiff/config';
import type { EnvoyTapSide, IngestHalfLine } from '@shadowdiff/recordings';
import { addApiOptions, createApiClient } from '../api-client.ts';
import { createEnvoyTapDir } from '../ingest/envoy-tap-dir.ts';
import { postHalves, type IngestTarget } from '../ingest/halves-sender.ts';

interface IngestFlags {
  envoyTap: string;
  api?: string;
  config?: string;
  run?: string;
  side: EnvoyTapSide;
  once?: boolean;
  pollMs: number;
}

/** Lines and bytes per request, well under the API's default body limit (api.ingest.maxBodyBytes, 10 MB). */
const MAX_BATCH_LINES = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

interface Pending {
  file: string;
  half: IngestHalfLine;
  bytes: number;
}

export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description("hand exchanges captured elsewhere to a running shadowdiff: Envoy HTTP tap files, joined by x-request-id and filed under a run like live traffic")
    .requiredOption('--envoy-tap <dir>', "folder where Envoy's file-per-tap sink writes JSON traces (http_buffered_trace); new files are followed until Ctrl-C")
    .addOption(new Option('--run <name>', 'run the exchanges are filed under (default: the configured run)'))
    .addOption(new Option('--side <side>', "whose traces these are; auto: a request whose authority ends in -shadow is the candidate's").choices(['auto', 'primary', 'candidate']).default('auto'))
    .addOption(new Option('--once', 'send the files there now and stop, instead of following new ones'))
    .addOption(new Option('--poll-ms <ms>', 'how often the folder is looked at for new files').default(500).argParser(Number));
  addApiOptions(command);
  command.action((flags: IngestFlags) => ingest(flags));
}

function batches(pending: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    if (current.length > 0 && (current.length >= MAX_BATCH_LINES || bytes + item.bytes > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function ingest(flags: IngestFlags): Promise<void> {
  const config = loadConfig(flags.config ? { file: flags.config } : {});
  const run = runNameSchema.safeParse(flags.run ?? config.run);
  if (!run.success) throw new Error(`--run: ${run.error.issues[0]!.message}`);
  if (!Number.isInteger(flags.pollMs) || flags.pollMs < 10) throw new Error('--poll-ms must be a whole number ≥ 10');
  const info = await stat(flags.envoyTap).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`--envoy-tap: ${flags.envoyTap} is not a folder`);
  const target: IngestTarget = { url: createApiClient(flags).url, token: config.api.token };
  const dir = createEnvoyTapDir(flags.envoyTap, { side: flags.side, run: run.data });
  const out = process.stdout;
  const totals = { sent: 0, accepted: 0, rejected: 0, paired: 0, unreadable: 0 };

  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) return;
    process.stderr.write('\nstopping: the halves being sent are sent, then the command ends…\n');
    stop.abort();
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      }
      stop.signal.addEventListener('abort', done);
    });

  /** Sends one batch until the API takes it; false when stopped first. */
  const send = async (batch: Pending[]): Promise<boolean> => {
    let waitingSaid = false;
    for (;;) {
      const answer = await postHalves(target, batch.map((p) => p.half));
      if ('result' in answer) {
        const { result } = answer;
        totals.sent += batch.length;
        totals.accepted += result.accepted;
        totals.rejected += result.rejected;
        totals.paired += result.paired ?? 0;
        for (const error of result.errors) out.write(`rejected ${batch[error.line - 1]?.file ?? `line ${error.line}`}: ${error.reason}\n`);
        return true;
      }
      if ('tooLarge' in answer) {
        if (batch.length === 1) {
          out.write(`rejected ${batch[0]!.file}: larger than the API takes (api.ingest.maxBodyBytes)\n`);
          totals.rejected += 1;
          return true;
        }
        const half = Math.ceil(batch.length / 2);
        return (await send(batch.slice(0, half))) && send(batch.slice(half));
      }
      if (stop.signal.aborted) return false;
      if (!waitingSaid) out.write(`waiting: ${answer.why}\n`);
      waitingSaid = true;
      await pause(answer.wait);
    }
  };

  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  out.write(`${flags.once ? 'Sending' : 'Following'} Envoy tap files in ${flags.envoyTap} to ${target.url} (run "${run.data}", side ${flags.side})${flags.once ? '' : '; Ctrl-C to stop'}.\n`);
  try {
    let unsent = 0;
    while (!stop.signal.aborted) {
      const { files, notJson } = await dir.next();
      if (notJson.length > 0) out.write(`skipping ${notJson.length} protobuf tap file(s) such as ${notJson[0]}: the tap must write JSON (format JSON_BODY_AS_BYTES or JSON_BODY_AS_STRING)\n`);
      const pending: Pending[] = [];
      for (const file of files) {
        if ('problem' in file) {
          totals.unreadable += 1;
          out.write(`skipped ${file.file}: ${file.problem}\n`);
        } else pending.push({ file: file.file, half: file.half, bytes: JSON.stringify(file.half).length + 1 });
      }
      const toSend = batches(pending);
      for (const [i, batch] of toSend.entries()) {
        if (!(await send(batch))) {
          unsent = toSend.slice(i).reduce((sum, b) => sum + b.length, 0);
          break;
        }
      }
      if (pending.length > 0) out.write(`sent ${totals.sent} halves: ${totals.accepted} accepted, ${totals.rejected} rejected, ${totals.paired} exchanges joined\n`);
      if (flags.once) break;
      await pause(flags.pollMs);
    }
    out.write(
      `Ingested into run "${run.data}": ${totals.sent} halves sent, ${totals.accepted} accepted, ${totals.rejected} rejected, ${totals.paired} exchanges joined` +
        `${totals.unreadable > 0 ? `; ${totals.unreadable} files could not be read` : ''}${unsent > 0 ? `; ${unsent} halves not sent (stopped while the API was busy)` : ''}.\n`,
    );
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
