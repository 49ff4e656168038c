import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '@shadowdiff/core';
import { stopOnExit } from './exit-guard.ts';
import type { RunAs } from './run-as.ts';

/** The last lines a process wrote, kept to explain a failure. */
function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function spawnAs(binary: string, args: string[], runAs: RunAs, options: { detached?: boolean } = {}): ChildProcess {
  const ids = runAs.uid === undefined ? {} : { uid: runAs.uid, gid: runAs.gid! };
  // LC_ALL=C: Postgres's messages are matched below, and a locale the machine lacks fails initdb.
  return spawn(binary, args, { ...ids, ...options, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a Postgres tool (initdb) to its end; rejects with its output when it fails. */
export function runToEnd(binary: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(binary, args, runAs);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`cannot run ${binary}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${binary} failed (${signal ?? `exit code ${code}`}):\n${tail(output)}`));
    });
  });
}

export interface PostgresProcess {
  /** Resolves once the server has exited, for whatever reason, with how: `exit code 0`, `signal SIGKILL`. */
  exited: Promise<string>;
  /** Fast shutdown (SIGINT), then immediate (SIGQUIT) after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `postgres` on loopback and resolves once it accepts connections. A server that exits
 * first, or cannot be executed, rejects with what it said.
 */
export function runPostgres(binary: string, dataDir: string, port: number, runAs: RunAs, logger?: Logger, timeoutMs = 60_000): Promise<PostgresProcess> {
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'];
  // A group of its own: a terminal's Ctrl-C reaches shadowdiff, which stops the server last,
  // after the parts that use it have finished.
  const child = spawnAs(binary, args, runAs, { detached: true });
  const release = stopOnExit(child, 'SIGINT');
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)));
  let output = '';
  const stop = async (graceMs = 30_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    release();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(1000);
      reject(new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${tail(output)}`));
    }, timeoutMs);
    const onOutput = (chunk: Buffer): void => {
      const text = chunk.toString();
      logger?.debug({ postgres: text.trim() }, 'postgres');
      if (output.length < 64 * 1024) output += text;
      if (/database system is ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve({ exited, stop });
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('error', (error) => {
      clearTimeout(timer);
      release();
      reject(new Error(`cannot run ${binary}: ${error.message}`, { cause: error }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      release();
      reject(new Error(`postgres exited (${signal ?? `exit code ${code}`}) before it accepted connections:\n${tail(output)}`));
    });
  });
}
