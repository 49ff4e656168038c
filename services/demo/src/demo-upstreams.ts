import { startDemoServer, type DemoServer } from './demo-server.ts';
import { apiV1 } from './version-v1.ts';
import { apiV2 } from './version-v2.ts';

/** The three demo upstreams `shadowdiff up` compares when no real ones are configured. */
export interface DemoUpstreams {
  /** v1, the production version: its responses are what clients get. */
  primary: DemoServer;
  /** v2, the version under validation, with deliberate differences. */
  candidate: DemoServer;
  /** A second v1 instance (same code, its own process state), so noise can be learned. */
  secondary: DemoServer;
  /** Closes all three servers. */
  close(): Promise<void>;
}

/** Options of {@link startDemoUpstreams}. */
export interface DemoUpstreamsOptions {
  /** Interface every server listens on (each on its own ephemeral port); default `127.0.0.1`. */
  host?: string;
}

/** Starts primary (v1), candidate (v2) and secondary (v1); if one fails, the others are closed. */
export async function startDemoUpstreams(options: DemoUpstreamsOptions = {}): Promise<DemoUpstreams> {
  const serverOptions = { host: options.host ?? '127.0.0.1' };
  const started = await Promise.allSettled([
    startDemoServer(apiV1, serverOptions),
    startDemoServer(apiV2, serverOptions),
    startDemoServer(apiV1, serverOptions),
  ]);
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(servers.map((server) => server.close()));
    throw new Error('could not start the demo upstreams', { cause: failure.reason });
  }
  const [primary, candidate, secondary] = servers as [DemoServer, DemoServer, DemoServer];
  return {
    primary,
    candidate,
    secondary,
    async close() {
      await Promise.all([secondary.close(), candidate.close(), primary.close()]);
    },
  };
}
