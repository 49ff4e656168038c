import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's binary, from the sources: tests need no build step. */
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../../services/cli/bin/shadowdiff-dev.js');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Where and as whom a `shadowdiff` command runs: by default this checkout's, here, as this user. */
export interface CliPlace {
  /** The checkout whose compiled binary runs (its root folder; built as `npm start` builds it). */
  checkout?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** Runs the `shadowdiff` binary as a user would, with the given arguments and extra environment. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, place: CliPlace = {}): CliProcess {
  const cli = place.checkout ? resolve(place.checkout, 'services/cli/bin/shadowdiff.js') : CLI;
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(place.cwd ? { cwd: place.cwd } : {}),
    ...(place.uid !== undefined ? { uid: place.uid, gid: place.gid ?? place.uid } : {}),
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolveMatch, reject) => {
        const check = (): boolean => {
          const match = out.match(pattern);
          if (match) {
            cleanup();
            resolveMatch(match);
            return true;
          }
          return false;
        };
        const onExit = (code: number | null): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`shadowdiff exited (${code}) before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.off('exit', onExit);
        };
        if (check()) return;
        child.stdout!.on('data', check);
        child.once('exit', onExit);
      });
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A `shadowdiff up` started by a test, ready, with the addresses it printed. */
export interface RunningStack {
  cli: CliProcess;
  tapUrl: string;
  apiUrl: string;
}

/** Runs `shadowdiff up` with the given arguments and waits until it says it is up. */
export async function startUp(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000, place: CliPlace = {}): Promise<RunningStack> {
  const cli = runCli(['up', ...args], env, place);
  await cli.waitFor(/Press Ctrl-C to stop/, timeoutMs);
  const out = cli.stdout();
  return {
    cli,
    tapUrl: out.match(/tap\s+(http:\/\/\S+)/)![1]!,
    apiUrl: out.match(/api\s+(http:\/\/\S+?)\/api\/v1/)![1]!,
  };
}
