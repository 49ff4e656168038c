/**
 * The real shadow thread, with its event loop held busy for 50 ms every 200 ms, as other work on
 * a crowded host would hold it: responses arriving meanwhile are timed late.
 */
import '../src/shadow/shadow-thread-worker.ts';

setInterval(() => {
  const until = performance.now() + 50;
  while (performance.now() < until);
}, 200).unref();
