/**
 * The benchmark's upstreams, in a process of their own: a primary and a candidate that answer a
 * small JSON document at once, and a slow candidate that answers the same after 500 ms.
 * Prints `{"primary":port,"candidate":port,"slow":port}` once listening.
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

const [primary, candidate, slow] = await Promise.all([listen(0), listen(0), listen(500)]);
const port = (s: Server): number => (s.address() as AddressInfo).port;
process.stdout.write(`${JSON.stringify({ primary: port(primary), candidate: port(candidate), slow: port(slow) })}\n`);
process.on('SIGTERM', () => process.exit(0));
