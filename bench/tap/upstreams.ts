/**
 * The benchmark's upstreams: a primary and a candidate that answer a small JSON document at once,
 * and a slow candidate that answers the same after 500 ms. Arguments name the ones this process
 * serves (all three when none), so the primary can run apart from the candidates, as in
 * production, where copies arriving at the candidate do not slow the primary's event loop.
 * Prints e.g. `{"primary":port}` once listening.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(
  JSON.stringify({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'dev'], balance: 1234.5, active: true, tags: { tier: 'gold' } }),
);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

function listen(delayMs: number): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = (): void => {
        res.writeHead(200, headers);
        res.end(body);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.maxRequestsPerSocket = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const delays = { primary: 0, candidate: 0, slow: 500 } as const;
const roles = process.argv.slice(2);
const wanted = (roles.length > 0 ? roles : Object.keys(delays)) as (keyof typeof delays)[];
const unknown = wanted.filter((role) => !(role in delays));
if (unknown.length > 0) throw new Error(`unknown upstream ${unknown.join(', ')}: expected ${Object.keys(delays).join(', ')}`);
const ports: Record<string, number> = {};
for (const role of wanted) ports[role] = ((await listen(delays[role])).address() as AddressInfo).port;
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
