/**
 * A replay's progress: on a terminal, a bar with done/total, rate, ETA, errors and skipped
 * (cli-progress); otherwise a plain line every few seconds, for logs.
 */
import { SingleBar } from 'cli-progress';
import type { ReplayProgress } from '@shadowdiff/tap';

export interface ProgressView {
  update(progress: ReplayProgress): void;
  stop(): void;
}

const skippedOf = (p: ReplayProgress): number => Object.values(p.skipped).reduce((a, b) => a + (b ?? 0), 0);

export function showReplayProgress(total: number, out: NodeJS.WriteStream = process.stderr, intervalMs = 5000): ProgressView {
  const started = Date.now();
  if (out.isTTY) {
    const bar = new SingleBar(
      { format: 'replay [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | errors {errors} | skipped {skipped}', stream: out, hideCursor: true, etaBuffer: 50 },
    );
    bar.start(total, 0, { rate: '0', errors: 0, skipped: 0 });
    return {
      update(p) {
        const done = p.sent + skippedOf(p);
        bar.update(done, { rate: (p.sent / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(0), errors: p.errors, skipped: skippedOf(p) });
      },
      stop: () => bar.stop(),
    };
  }
  let last: ReplayProgress | undefined;
  const line = (): void => {
    if (!last) return;
    const seconds = (Date.now() - started) / 1000;
    out.write(`replay: ${last.sent + skippedOf(last)}/${total} (${last.sent} sent, ${(last.sent / Math.max(0.001, seconds)).toFixed(0)}/s, ${last.errors} errors, ${skippedOf(last)} skipped)\n`);
  };
  const timer = setInterval(line, intervalMs);
  return {
    update: (p) => (last = p),
    stop() {
      clearInterval(timer);
      line();
    },
  };
}
