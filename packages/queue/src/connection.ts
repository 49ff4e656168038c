import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for a producer on the request path: commands fail at once while Redis is
 * away instead of piling up in an offline queue, so the tap's memory stays flat.
 */
export function createProducerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/** A Redis connection for a BullMQ worker: blocking commands, retried for ever. */
export function createWorkerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/**
 * Waits until the connection is ready, at most `ms`: a moment for Redis at start-up so the first
 * captures are not dropped for nothing, while a Redis that is down keeps nobody from starting.
 */
export function readyOrTimeout(connection: Redis, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (connection.status === 'ready') return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      connection.off('ready', done);
      resolve();
    }
    connection.once('ready', done);
  });
}
