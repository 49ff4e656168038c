/**
 * Open-loop load at a fixed rate, in a process of its own: requests are sent on a fixed schedule
 * whatever the server does (a stalled server is not hidden by fewer requests), over a pool of
 * keep-alive connections; a request that finds every connection busy waits, and that wait
 * counts. Each latency runs from the moment the request is issued to its last body byte, in
 * microseconds, so the generator's own timer jitter is not charged to the server. Usage: fixed-rate.ts <url> <rate/s> <seconds> <warm-up seconds>
 * <connections>; prints one JSON line {sent, errors, p50, p90, p99, max, mean} in milliseconds.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const [url, rateArg, secondsArg, warmArg, connectionsArg] = process.argv.slice(2);
const target = new URL(url!);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const warm = Number(warmArg);
const pool = new Pool(target.origin, { connections: Number(connectionsArg), pipelining: 1, keepAliveTimeout: 60_000 });
const path = target.pathname + target.search;

const latencies: number[] = [];
let errors = 0;
let inFlight = 0;

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
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
}

await phase(warm, false);
await phase(seconds, true);
latencies.sort((a, b) => a - b);
const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
const mean = latencies.reduce((s, v) => s + v, 0) / latencies.length;
process.stdout.write(`${JSON.stringify({ sent: latencies.length + errors, errors, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1), mean })}\n`);
await pool.close();
