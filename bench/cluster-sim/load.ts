/**
 * Open-loop mixed traffic into one tap, in a process of its own: requests leave on a fixed
 * schedule whatever the tap does. Usage: load.ts <tap url> <rate/s> <seconds> <tag>. Each request
 * carries `sid=<tag>-<n>` in its query, its id across the whole simulation. Prints one JSON line:
 * {sent, answered, failed, unanswered, byKind}.
 */
import { Pool } from 'undici';
import { requestOf } from './traffic-mix.ts';

const [url, rateArg, secondsArg, tag] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
if (!url || !(rate > 0) || !(seconds > 0) || !tag) throw new Error('usage: load.ts <tap url> <rate/s> <seconds> <tag>');

const pool = new Pool(new URL(url).origin, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
const byKind: Record<string, number> = {};
let sent = 0;
let answered = 0;
let failed = 0;
let inFlight = 0;

function fire(n: number): void {
  const request = requestOf(n, tag!);
  byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
  sent++;
  inFlight++;
  const headers: Record<string, string> = request.body === undefined ? {} : { 'content-type': 'application/json' };
  pool.request({ method: request.method, path: request.path, headers, body: request.body }).then(
    async (res) => {
      await res.body.dump();
      answered++;
      inFlight--;
    },
    () => {
      failed++;
      inFlight--;
    },
  );
}

const started = performance.now();
const total = Math.round(rate * seconds);
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
  while (sent < due) fire(sent);
  await new Promise((r) => setTimeout(r, 2));
}
// Answers still missing after 20 s are reported, not waited for.
const deadline = performance.now() + 20_000;
while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
process.stdout.write(`${JSON.stringify({ sent, answered, failed, unanswered: inFlight, byKind })}\n`);
process.exit(0);
