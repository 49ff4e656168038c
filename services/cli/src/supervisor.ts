import { Counter, Gauge, type Registry } from 'prom-client';
import { DependencyError, type Logger } from '@shadowdiff/core';
import { ChildStartError, describeExit, startChildCommand, type ChildCommand, type ChildExit } from './child-command.ts';

/** A `shadowdiff` command run as a supervised child. */
export interface ChildSpec {
  /** How logs, metrics and messages name it: `worker`, `tap`, `api`, `demo primary`. */
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Matched against its standard output: it is ready once this appears. */
  ready: RegExp;
  /**
   * The settings it is restarted with, from what it printed when it first became ready: a part
   * started on "any free port" (0) is pinned to the port it took, so it comes back where it was.
   * Choosing the port before the start instead would leave a moment in which another process takes it.
   */
  pin?(ready: RegExpMatchArray): Partial<Pick<ChildSpec, 'args' | 'env'>>;
}

export interface SupervisorOptions {
  logger: Logger;
  /** Where `shadowdiff_up_child_exits_total` and `shadowdiff_up_child_running` go. */
  registry: Registry;
  /** Exits within `windowMs` that make a child count as crashing for good (default 5 in 60 s). */
  maxExits?: number;
  windowMs?: number;
  /** Delay before the first restart, doubled for each exit in the window, at most `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface Supervisor {
  /**
   * Starts a child and keeps it running. The first start must succeed: a child that fails then
   * (a port in use, a bad setting) rejects with its own message, since trying again would not help.
   */
  start(spec: ChildSpec): Promise<RegExpMatchArray>;
  /** Rejects when a child keeps crashing, with a message that names it. Never resolves. */
  readonly failed: Promise<never>;
  /** Whether each child is running now. */
  running(): Record<string, boolean>;
  /** Stops every child, newest first, and restarts none. */
  stop(): Promise<void>;
}

/**
 * Keeps child commands alive: a child that exits unexpectedly is logged at error level with its
 * exit code or signal, counted, and restarted after a backoff, with the same settings (and so on
 * the same ports). One that exits `maxExits` times within `windowMs` is given up: `failed` rejects.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { logger } = options;
  const maxExits = options.maxExits ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const exitsTotal = new Counter({
    name: 'shadowdiff_up_child_exits_total',
    help: 'Unexpected exits of the processes shadowdiff up runs (each is restarted unless it keeps crashing), by child',
    labelNames: ['child'],
    registers: [options.registry],
  });
  const runningGauge = new Gauge({ name: 'shadowdiff_up_child_running', help: 'Whether each child of shadowdiff up is running (1) or being restarted (0)', labelNames: ['child'], registers: [options.registry] });
  const children: { spec: ChildSpec; current: ChildCommand | undefined; timer?: NodeJS.Timeout; restarting?: Promise<void> }[] = [];
  let stopping = false;
  let giveUp: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (giveUp = reject));
  failed.catch(() => undefined);

  const supervise = (entry: (typeof children)[number]): void => {
    const { spec } = entry;
    const exits: number[] = [];
    const onExit = (exit: ChildExit): void => {
      entry.current = undefined;
      runningGauge.set({ child: spec.name }, 0);
      if (stopping) return;
      exitsTotal.inc({ child: spec.name });
      const now = Date.now();
      exits.push(now);
      while (exits[0]! < now - windowMs) exits.shift();
      const how = `${describeExit(exit)}${exit.error ? `: ${exit.error.split('\n')[0]}` : ''}`;
      if (exits.length >= maxExits) {
        logger.error({ child: spec.name, code: exit.code, signal: exit.signal, error: exit.error, exits: exits.length }, `${spec.name} keeps crashing: giving up`);
        giveUp(new DependencyError(`the ${spec.name} exited ${exits.length} times within ${Math.round(windowMs / 1000)} s, so everything was stopped. Its last exit (${describeExit(exit)})${exit.error ? `: ${exit.error}` : ''}`));
        return;
      }
      const delay = Math.min((options.backoffMs ?? 500) * 2 ** (exits.length - 1), options.maxBackoffMs ?? 10_000);
      logger.error({ child: spec.name, code: exit.code, signal: exit.signal, error: exit.error, restartInMs: delay }, `${spec.name} exited (${how}): restarting`);
      entry.timer = setTimeout(() => (entry.restarting = restart()), delay);
    };
    const restart = async (): Promise<void> => {
      if (stopping) return;
      try {
        const child = await startChildCommand(spec.args, { env: spec.env, ready: spec.ready });
        if (stopping) return await child.stop();
        watch(child);
        logger.warn({ child: spec.name, pid: child.child.pid }, `${spec.name} restarted`);
      } catch (error) {
        onExit(error instanceof ChildStartError && error.exit ? error.exit : { code: null, signal: null, error: (error as Error).message });
      }
    };
    const watch = (child: ChildCommand): void => {
      entry.current = child;
      runningGauge.set({ child: spec.name }, 1);
      void child.exited.then(onExit);
    };
    watch(entry.current!);
  };

  return {
    failed,
    async start(first) {
      const child = await startChildCommand(first.args, { env: first.env, ready: first.ready });
      const spec = first.pin ? { ...first, ...first.pin(child.ready) } : first;
      const entry = { spec, current: child };
      children.push(entry);
      supervise(entry);
      return child.ready;
    },
    running: () => Object.fromEntries(children.map((c) => [c.spec.name, c.current !== undefined])),
    async stop() {
      stopping = true;
      for (const entry of [...children].reverse()) {
        clearTimeout(entry.timer);
        await entry.restarting;
        await entry.current?.stop().catch((error: Error) => logger.warn({ child: entry.spec.name, err: error.message }, 'stop failed'));
      }
    },
  };
}
