import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy to a real server that can leave connections hanging: open, yet passing nothing in
 * either direction and never closed, as a connection to a Redis master that went away without a
 * word (a host lost, a partition) stays on the client's side.
 */
export interface FreezingProxy {
  port: number;
  /**
   * From now until `thaw`, a connection that has sent (or sends) bytes matching `sent` hangs for
   * good, and so does every connection opened meanwhile. Those stay hung after `thaw`.
   */
  freeze(sent: RegExp): void;
  /** Connections opened from now on pass again. */
  thaw(): void;
  /** Connections hung so far. */
  frozen(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket | undefined;
  /** What the client sent lately (enough to hold a command and its first key). */
  recent: string;
  frozen: boolean;
}

/** Starts a proxy on a free loopback port to `target`. */
export async function startFreezingProxy(target: { host: string; port: number }): Promise<FreezingProxy> {
  const pairs = new Set<Pair>();
  let freezing: RegExp | undefined;
  let frozenCount = 0;

  const freezePair = (pair: Pair): void => {
    if (pair.frozen) return;
    pair.frozen = true;
    frozenCount += 1;
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    const pair: Pair = { client, server: undefined, recent: '', frozen: false };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pairs.delete(pair);
      pair.server?.destroy();
    });
    // A hung connection ignores the client's end too: the client sees nothing, ever.
    client.on('end', () => {
      if (!pair.frozen) pair.server?.end();
    });
    if (freezing) {
      freezePair(pair);
      return;
    }
    const upstream = createConnection({ host: target.host, port: target.port });
    pair.server = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      if (!pair.frozen) client.destroy();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.frozen) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      pair.recent = (pair.recent + chunk.toString('latin1')).slice(-4096);
      if (freezing?.test(pair.recent)) freezePair(pair);
      else upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');

  return {
    port: address.port,
    freeze(sent) {
      freezing = sent;
      for (const pair of pairs) if (sent.test(pair.recent)) freezePair(pair);
    },
    thaw() {
      freezing = undefined;
    },
    frozen: () => frozenCount,
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
