import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { DependencyError, readOrCreateSecretFile, type Logger } from '@shadowdiff/core';
import { findFreePort } from './free-port.ts';
import { stopOrphan } from './orphans.ts';
import { stopOnExit } from './exit-guard.ts';

export interface LocalRedis {
  url: string;
  port: number;
  /** Resolves once the server has exited, for whatever reason, with how (`signal SIGKILL`). */
  exited: Promise<string>;
  /** Stops the server (SHUTDOWN, which writes the AOF) and waits for the process to end. */
  stop(): Promise<void>;
}

function which(binary: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/**
 * Finds `redis-server`, installing Debian's package when running as root with apt-get available.
 * Otherwise fails with a message that says how to get one.
 */
export function ensureRedisServer(logger?: Logger): string {
  const found = which('redis-server');
  if (found) return found;
  const canInstall = process.getuid?.() === 0 && which('apt-get') !== undefined;
  if (canInstall) {
    logger?.info('redis-server not found: installing Debian package redis-server');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
    const installed = install.status === 0 ? which('redis-server') : undefined;
    if (installed) return installed;
  }
  throw new DependencyError(
    'redis-server is not installed. Install it (Debian/Ubuntu: `apt-get install redis-server`) ' +
      'or point shadowdiff at an existing Redis with REDIS_URL=redis://HOST:PORT.',
  );
}

/** Resolves once Redis answers PING on the port (after AUTH with `password`), or rejects after `timeoutMs`. */
export async function waitForRedis(port: number, timeoutMs = 10_000, password?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.setTimeout(500);
      socket.once('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
      let answer = '';
      socket.on('data', (data) => {
        answer += data.toString();
        // +OK (AUTH) then +PONG; an error reply (-LOADING, -NOAUTH) means not yet.
        if (!answer.includes('+PONG') && !answer.includes('-')) return;
        socket.destroy();
        done(answer.includes('+PONG') && !answer.includes('-'));
      });
      socket.once('error', () => done(false));
      socket.once('timeout', () => {
        socket.destroy();
        done(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new DependencyError(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/**
 * Starts a private redis-server on a free loopback port with its data (AOF on) in `dir`,
 * so queued captures survive a restart of shadowdiff.
 */
export async function startLocalRedis(options: { dir: string; port?: number; logger?: Logger }): Promise<LocalRedis> {
  const binary = ensureRedisServer(options.logger);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  if (await stopOrphan(pidFile, 'redis-server', 'SIGTERM')) options.logger?.warn({ dir }, 'stopped a redis-server left running by an earlier run');
  const port = options.port ?? (await findFreePort());
  // A password of this installation's own, in a config file only this user reads (never on the
  // command line, which every local user can see): captures in the queue are production traffic.
  const password = readOrCreateSecretFile(join(dir, 'password'), 'Redis password');
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const args = [
    configFile,
    '--pidfile', pidFile,
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
    // BullMQ requires that Redis never evicts its keys.
    '--maxmemory-policy', 'noeviction',
  ];
  // A group of its own: a terminal's Ctrl-C reaches shadowdiff, which stops the server last,
  // after the parts that use it have finished.
  const child = spawn(binary, args, { stdio: 'ignore', detached: true });
  const release = stopOnExit(child, 'SIGTERM');
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new DependencyError(`cannot start redis-server: ${error.message}`, { cause: error })));
    child.once('exit', (code) => reject(new DependencyError(`redis-server exited with code ${code}; see ${join(dir, 'redis.log')}`)));
  });
  try {
    await Promise.race([waitForRedis(port, 10_000, password), failed]);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    release();
    throw error;
  } finally {
    failed.catch(() => undefined);
  }
  options.logger?.info({ port, dir }, 'local redis-server started');
  const gone = exited(child).then(() => (child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`));
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    exited: gone,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
      release();
    },
  };
}
