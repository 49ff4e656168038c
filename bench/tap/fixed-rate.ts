/**
 * Open-loop load at a fixed rate, in a process of its own: requests are sent on a fixed schedule
 * whatever the server does (a stalled server is not hidden by fewer requests), over a pool of
 * keep-alive connections; a request that finds every connection busy waits, and that wait
 * counts. Each latency runs from the moment the request is issued to its last body byte, in
 * microseconds, so the generator's own timer jitter is not charged to the server. Usage: fixed-rate.ts <url> <rate/s> <seconds> <warm-up seconds>
 * <connections> [max wait seconds]; prints one JSON line {sent, errors, timeouts, p50, p90, p99,
 * max, mean} in milliseconds. Requests still unanswered `max wait` seconds after the last one
 * was sent count as timeouts, with an infinite latency (so a p99 can read "Infinity").
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const [url, rateArg, secondsArg, warmArg, connectionsArg, maxWaitArg] = process.argv.slice(2);
const maxWaitMs = Number(maxWaitArg ?? 15) * 1000;
const target = new URL(url!);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const warm = Number(warmArg);
const pool = new Pool(target.origin, { connections: Number(connectionsArg), pipelining: 1, keepAliveTimeout: 60_000 });
const path = target.pathname + target.search;

const latencies: number[] = [];
let errors = 0;
let inFlight = 0;
let timeouts = 0;

function fire(record: boolean): void {
  const issued = performance.now();
  inFlight++;
  pool.request({ method: 'GET', path }).then(
    async (res) => {
      await res.body.dump();
      if (record) {
        if (res.statusCode === 200) latencies.push(performance.now() - issued);
        else errors++;
      }
      inFlight--;
    },
    () => {
      if (record) errors++;
      inFlight--;
    },
  );
}

async function phase(durationS: number, record: boolean): Promise<void> {
  const start = performance.now();
  const total = Math.round(durationS * rate);
  const interval = 1000 / rate;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      fire(record);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const deadline = performance.now() + maxWaitMs;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (record) timeouts = inFlight;
}

await phase(warm, false);
await phase(seconds, true);
for (let i = 0; i < timeouts; i++) latencies.push(Infinity);
latencies.sort((a, b) => a - b);
const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
const mean = latencies.reduce((s, v) => s + v, 0) / latencies.length;
const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
process.stdout.write(
  `${JSON.stringify({ sent: latencies.length + errors, errors, timeouts, p50: finite(at(0.5)), p90: finite(at(0.9)), p99: finite(at(0.99)), max: finite(latencies.at(-1)), mean: finite(mean) })}\n`,
);
// Requests still hanging are abandoned: the process ends here.
process.exit(0);
