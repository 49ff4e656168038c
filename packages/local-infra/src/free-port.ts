import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port the OS picks for outgoing connections (Linux's default, 32768, where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0) return low;
  } catch {
    // Not Linux: other systems start theirs higher still.
  }
  return 32768;
}

/** Resolves with the port once `port` (0: any) could be listened on on `host`, and frees it again. */
function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const taken = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(taken));
    });
  });
}

/**
 * A TCP port that was free on `host` a moment ago, for a server that cannot take "any port" and
 * say which (Redis, Postgres). Chosen at random below the range the OS hands out to outgoing
 * connections, so that one of the many connections opened meanwhile cannot take it before the
 * server listens; the OS picks when nothing there is free.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const low = ephemeralLow();
  const from = 10_000;
  if (low - from > 1000) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await tryListen(from + Math.floor(Math.random() * (low - from)), host);
      if (port !== undefined) return port;
    }
  }
  const any = await tryListen(0, host);
  if (any === undefined) throw new Error(`no TCP port is free on ${host}`);
  return any;
}
