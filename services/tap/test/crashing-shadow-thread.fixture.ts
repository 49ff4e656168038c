/**
 * A shadow thread for tests that dies as a real one might: it reports its first batch as queued
 * and then exits with the next captures still held.
 */
import { parentPort } from 'node:worker_threads';
import type { FromShadowThread, ToShadowThread } from '../src/shadow/shadow-thread-messages.ts';

const tell = (message: FromShadowThread): void => parentPort!.postMessage(message);
let batches = 0;
parentPort!.on('message', (message: ToShadowThread) => {
  if (message.type === 'close') return tell({ type: 'closed' });
  if (message.type !== 'captures') return;
  batches += 1;
  if (batches === 1) tell({ type: 'flushed', count: message.captures.length, held: 0, received: message.captures.length });
  else process.exit(1);
});
tell({ type: 'ready', redis: true });
