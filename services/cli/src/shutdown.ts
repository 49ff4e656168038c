import type { Logger } from '@shadowdiff/core';

let shuttingDown = false;

/** Whether this process is closing down (after a signal, or because its parent went away). */
export const isShuttingDown = (): boolean => shuttingDown;

/**
 * Runs the given closers (in the order given: newest first) on SIGINT or SIGTERM, once, or
 * when the parent `shadowdiff up` that started this process goes away (under it, on SIGTERM
 * only). A second signal exits at once.
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
    // A part run by `shadowdiff up` leaves the terminal's Ctrl-C (a SIGINT sent to the whole
    // process group) to its parent, which stops the parts in order, each with SIGTERM.
    const underUp = process.connected;
    process.on('SIGINT', () => (underUp ? logger.debug('SIGINT left to shadowdiff up') : void stop('SIGINT')));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (underUp) process.once('disconnect', () => void stop('parent gone'));
  });
}
