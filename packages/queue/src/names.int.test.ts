import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createProducerConnection } from './connection.ts';
import { readQueueBacklog } from './backlog.ts';
import { CAPTURE_QUEUE, CAPTURE_QUEUE_OPTIONS, captureWaitListKey } from './names.ts';

describe('the capture queue wait list key', () => {
  const connection = createProducerConnection(inject('redisUrl'), { enableOfflineQueue: true });
  const prefix = `sdtest-${randomBytes(4).toString('hex')}`;
  const queue = new Queue(CAPTURE_QUEUE, { ...CAPTURE_QUEUE_OPTIONS, connection, prefix });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('is the list that holds exactly the batches waiting for a worker, as the backlog counts them', async () => {
    const key = captureWaitListKey(prefix);
    expect(key).toBe(`${prefix}:shadowdiff-captures:wait`);
    await queue.add('capture-batch', { captures: [] }, { jobId: 'a.3' });
    await queue.add('capture-batch', { captures: [] }, { jobId: 'b.2' });
    // Delayed jobs (a retry's back-off) are no work a new worker could take now.
    await queue.add('capture-batch', { captures: [] }, { jobId: 'c.1', delay: 60_000 });
    expect(await connection.llen(key)).toBe(2);
    expect((await readQueueBacklog(queue)).waitingBatches).toBe(2);
  });
});
