import { fork, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyError } from '@shadowdiff/core';

/** The binary this process runs from: the compiled one, or the sources' under development and tests. */
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.ts') ? '../bin/shadowdiff-dev.js' : '../bin/shadowdiff.js');

/** How a child command ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it said as `shadowdiff: …` before it ended (its error), if anything. */
  error?: string;
}

export interface ChildCommand {
  child: ChildProcess;
  /** What the ready pattern matched in the child's output. */
  ready: RegExpMatchArray;
  /** Resolves when the child has exited, however it ended. */
  exited: Promise<ChildExit>;
  /** Asks the child to stop (SIGTERM: it finishes its work), and kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A child command that ended, or was given up on, before it was ready. */
export class ChildStartError extends DependencyError {
  constructor(
    message: string,
    readonly exit: ChildExit | undefined,
  ) {
    super(message);
  }
}

/** `exit code 1`, `signal SIGKILL`. */
export const describeExit = (exit: ChildExit): string => (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);

/**
 * Passes the child's log lines on to this process's stderr, except the error it ends with: from
 * a line that starts with `shadowdiff: ` on, its output is kept as its error, for the caller to
 * report once, in its own words.
 */
function relayStderr(child: ChildProcess): () => string | undefined {
  let pending = '';
  let error: string | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (error === undefined && line.startsWith('shadowdiff: ')) error = line.slice('shadowdiff: '.length);
      else if (error !== undefined) error += `\n${line}`;
      else process.stderr.write(`${line}\n`);
    }
  });
  return () => {
    const rest = pending.startsWith('shadowdiff: ') ? pending.slice('shadowdiff: '.length) : pending;
    const said = error === undefined ? rest : `${error}${pending ? `\n${pending}` : ''}`;
    return said.trim() || undefined;
  };
}

/**
 * Runs another `shadowdiff` command as a child process and waits until its standard output
 * matches `ready`. Its logs go to this process's stderr. The child stops by itself when this
 * process goes away, even without a signal (it watches the IPC channel). A child that ends
 * before it is ready rejects with its own error message.
 */
export function startChildCommand(args: string[], options: { env: Record<string, string>; ready: RegExp; timeoutMs?: number }): Promise<ChildCommand> {
  const child = fork(CLI, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const said = relayStderr(child);
  // 'close', not 'exit': the child's last words on stderr have been read by then.
  const exited = new Promise<ChildExit>((r) => child.once('close', (code, signal) => r({ code, signal, ...(said() ? { error: said()! } : {}) })));
  const stop = async (graceMs = 30_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await exited;
  };
  return new Promise((resolveReady, reject) => {
    let output = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      cleanup();
      void stop(1000).then(() => exited.then((exit) => reject(new ChildStartError(exit.error ?? `shadowdiff ${args[0]}: ${message}`, exit))));
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = output.match(options.ready);
      if (!match || settled) return;
      settled = true;
      cleanup();
      child.stdout!.resume();
      resolveReady({ child, ready: match, exited, stop });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`ended (${signal ? `signal ${signal}` : `exit code ${code}`}) before it was ready`);
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
