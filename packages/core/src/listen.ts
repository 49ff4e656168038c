import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server listening: its URL, and how to stop it (connections still open are closed). */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** The URL a listening server answers on (an IPv6 address in brackets). */
export function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}

/**
 * Starts `server` on `host:port` (0 picks a free port) and resolves once it listens, with the URL
 * it answers on; a failure to listen (a port in use) rejects with `describe(error)`.
 */
export async function listenHttp(server: Server, host: string, port: number, describe: (error: Error) => Error = (error) => error): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(describe(error)));
    server.listen(port, host, () => resolve());
  });
  return {
    url: urlOf(server),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
