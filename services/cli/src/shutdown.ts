import type { Logger } from '@shadowdiff/core';

let shuttingDown = false;

/** Whether this process is closing down (after a signal, or because its parent went away). */
export const isShuttingDown = (): boolean => shuttingDown;

/**
 * Runs the given closers (in the order given: newest first) on SIGINT or SIGTERM, once, or
 * when the parent `shadowdiff up` that started this process goes away. A second signal exits at once.
 */
export function onShutdown(logger: Logger, closers: (() => Promise<void>)[]): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping && signal === 'parent gone') return;
      if (stopping) {
        logger.warn('second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      shuttingDown = true;
      logger.info({ signal }, 'shutting down');
      for (const close of closers) {
        await close().catch((error: Error) => logger.warn({ err: error.message }, 'error during shutdown'));
      }
      // An open IPC channel to the parent would keep this process alive.
      if (process.connected) process.disconnect();
      resolve();
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (process.connected) process.once('disconnect', () => void stop('parent gone'));
  });
}
