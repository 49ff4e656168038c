import { fork, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyError, type Logger } from '@shadowdiff/core';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/shadowdiff.js');

export interface ChildCommand {
  child: ChildProcess;
  /** What the ready pattern matched in the child's output. */
  ready: RegExpMatchArray;
  /** Asks the child to stop (SIGTERM: it finishes its work), and kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs another `shadowdiff` command as a child process and waits until its standard output
 * matches `ready`. Its logs go to this process's stderr. The child stops by itself when this
 * process goes away, even without a signal (it watches the IPC channel).
 */
export function startChildCommand(args: string[], options: { env: Record<string, string>; ready: RegExp; logger: Logger; timeoutMs?: number }): Promise<ChildCommand> {
  const child = fork(CLI, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (graceMs = 30_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolveReady, reject) => {
    let output = '';
    const fail = (message: string): void => {
      cleanup();
      void stop(1000);
      reject(new DependencyError(`shadowdiff ${args[0]}: ${message}`));
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = output.match(options.ready);
      if (!match) return;
      cleanup();
      child.stdout!.resume();
      resolveReady({ child, ready: match, stop });
    };
    const onExit = (code: number | null): void => fail(`exited (code ${code}) before it was ready`);
    const timer = setTimeout(() => fail(`not ready after ${options.timeoutMs ?? 60_000} ms`), options.timeoutMs ?? 60_000);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
  });
}
