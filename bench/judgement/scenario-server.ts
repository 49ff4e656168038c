/**
 * One side of the labelled corpus, in a process of its own as a real service would be:
 *
 *   node --import @shadowdiff/core/source-mode bench/judgement/scenario-server.ts primary|candidate|secondary
 *
 * Serves `GET /s/<scenario>/<id>` (and its own service times, `/_times`) and prints `<role> <url>` once listening on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sampleLatency } from './latency-model.ts';
import { answer, SCENARIOS, WARM_UP, type Role } from './scenarios.ts';

const role = process.argv[2] as Role;
if (!['primary', 'candidate', 'secondary'].includes(role)) {
  process.stderr.write('usage: scenario-server.ts primary|candidate|secondary\n');
  process.exit(2);
}
const byName = new Map([...SCENARIOS, WARM_UP].map((s) => [s.name, s]));

/** Each latency scenario's own service times (request in to response finished), ms. */
const serviceTimes = new Map<string, number[]>();

function percentiles(times: number[]): { count: number; p50: number | null; p99: number | null } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number | null => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99) };
}

/** `GET /_times/<scenario>`: the side's own p50 and p99; `DELETE /_times`: start again. */
function serveTimes(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url === '/_times' && req.method === 'DELETE') serviceTimes.clear();
  else if (req.url?.startsWith('/_times/')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(percentiles(serviceTimes.get(req.url.slice(8)) ?? [])));
    return true;
  } else return false;
  res.writeHead(204).end();
  return true;
}

const server = createServer((req, res) => {
  if (serveTimes(req, res)) return;
  const started = performance.now();
  const match = /^\/s\/([\w-]+)\/(\d+)$/.exec(req.url ?? '');
  const scenario = match ? byName.get(match[1]!) : undefined;
  if (!scenario) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such scenario"}');
    return;
  }
  const reply = (): void => {
    const a = answer(scenario, role, Number(match![2]));
    res.writeHead(a.status, a.headers).end(JSON.stringify(a.body));
  };
  const model = scenario.latency && (role === 'candidate' ? scenario.latency.candidate : scenario.latency.reference);
  if (model) {
    res.once('finish', () => {
      const times = serviceTimes.get(scenario.name) ?? [];
      times.push(performance.now() - started);
      serviceTimes.set(scenario.name, times);
    });
    setTimeout(reply, sampleLatency(model));
  }
  else reply();
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${role} http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
