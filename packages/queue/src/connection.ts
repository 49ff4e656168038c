import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * Where the queue's Redis is: one `redis://` URL, or with `cluster`, the URLs of one or more seed
 * nodes of a Redis Cluster, comma-separated (the rest of the cluster is discovered from them).
 */
export interface RedisTarget {
  url: string;
  cluster?: boolean;
}

/** A connection to a single Redis or to a Redis Cluster; both speak the commands used here. */
export type RedisConnection = Redis | Cluster;

/** The seed nodes of a cluster URL list, and the credentials every node is reached with. */
export function clusterSeeds(urls: string): { nodes: { host: string; port: number }[]; redisOptions: RedisOptions } {
  const redisOptions: RedisOptions = {};
  const nodes = urls.split(',').map((raw) => {
    const text = raw.trim();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`redis cluster seed ${JSON.stringify(text)} is not a URL`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`redis cluster seed ${JSON.stringify(text)} is not a redis:// URL`);
    // The nodes found from the seeds are reached with the seeds' credentials: a cluster has one password.
    if (url.password) redisOptions.password = decodeURIComponent(url.password);
    if (url.username) redisOptions.username = decodeURIComponent(url.username);
    if (url.protocol === 'rediss:') redisOptions.tls = {};
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 6379 };
  });
  return { nodes, redisOptions };
}

function connectCluster(urls: string, cluster: ClusterOptions, node: RedisOptions): Cluster {
  const { nodes, redisOptions } = clusterSeeds(urls);
  return new Cluster(nodes, { ...cluster, redisOptions: { ...redisOptions, ...node } });
}

/**
 * A connection for a producer on the request path: commands fail at once while Redis (or, on a
 * cluster, the master of their slot) is away instead of piling up in an offline queue, so the
 * tap's memory stays flat.
 */
export function connectProducer(target: RedisTarget): RedisConnection {
  if (!target.cluster) return createProducerConnection(target.url);
  return connectCluster(
    target.url,
    {
      enableOfflineQueue: false,
      // A failover moves slots: a command waits this long for the new owner, a few times at most
      // (under a second in all), then fails and its batch is counted dropped.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: 6,
      slotsRefreshTimeout: 2000,
      clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
    },
    { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 2000) },
  );
}

/** A connection for BullMQ workers: blocking commands, retried for ever, on a single Redis or a cluster. */
export function connectWorker(target: RedisTarget): RedisConnection {
  if (!target.cluster) return createWorkerConnection(target.url);
  return connectCluster(
    target.url,
    { clusterRetryStrategy: (times) => Math.min(times * 200, 2000), retryDelayOnClusterDown: 500, slotsRefreshTimeout: 2000 },
    { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) },
  );
}

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
export function readyOrTimeout(connection: RedisConnection, ms: number): Promise<void> {
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
