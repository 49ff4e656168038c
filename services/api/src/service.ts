import type { Server } from 'node:http';
import { Queue } from 'bullmq';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, listenError, redactionFromConfig, urlOf, type Logger, type RedactorOptions } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { closeCaptureQueues, connectProducer, openCaptureQueues, type CaptureBatch } from '@shadowdiff/queue';
import type { Pool } from '@shadowdiff/store';
import { createApp } from './app.ts';
import { hasTokens, type ApiTokens } from './auth.ts';
import { isLoopbackHost } from './host-guard.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import { createIngestMetrics } from './ingest/ingest-metrics.ts';
import { createPipelineMonitor, registerPipelineGauges, type PipelineMonitor } from './pipeline.ts';

export interface ApiService {
  url: string;
  close(): Promise<void>;
}


/** Tokens copied from documentation and examples: never accepted beyond loopback. */
const PLACEHOLDER_TOKENS = new Set(['replace-with-a-long-random-secret', 'changeme', 'change-me', 'secret', 'password', 'token', 'your-token-here', 'example-token']);
const MIN_EXPOSED_TOKEN_LENGTH = 32;
const MAKE_ONE = 'make one with: openssl rand -hex 32';

/** The configured tokens by scope: `api.token` is a write token. */
export function apiTokens(api: ShadowdiffConfig['api']): ApiTokens {
  return { read: api.readTokens, write: [...(api.token ? [api.token] : []), ...api.writeTokens] };
}

/**
 * What keeps an API beyond loopback from being open by accident: at least one token, none of
 * them a placeholder, none shorter than 32 characters.
 */
function checkExposure(host: string, tokens: ApiTokens): void {
  if (isLoopbackHost(host)) return;
  if (!hasTokens(tokens)) {
    throw new ConfigError(`the API is asked to listen on ${host} without a token: set SHADOWDIFF_API_TOKEN (${MAKE_ONE}) or bind api.host to 127.0.0.1`);
  }
  const problems = [...tokens.write.map((t) => ['write', t] as const), ...tokens.read.map((t) => ['read', t] as const)].flatMap(([scope, token]) => {
    if (PLACEHOLDER_TOKENS.has(token.toLowerCase()) || /^(.)\1*$/.test(token)) return [`a ${scope} token is a placeholder`];
    if (token.length < MIN_EXPOSED_TOKEN_LENGTH) return [`a ${scope} token has ${token.length} characters, ${MIN_EXPOSED_TOKEN_LENGTH} needed to listen on ${host}`];
    return [];
  });
  if (problems.length > 0) {
    throw new ConfigError(`the API will not listen on ${host} with a weak token: ${problems.join('; ')}; ${MAKE_ONE}`, problems);
  }
}

/**
 * The taps' redaction, for ingested exchanges. Without its key (a key file that cannot be read or
 * created) the API still serves results; only ingest is off, and says why in the log.
 */
function ingestRedaction(config: ShadowdiffConfig, logger: Logger): RedactorOptions | undefined {
  try {
    return redactionFromConfig(config);
  } catch (error) {
    logger.error({ err: (error as Error).message }, 'ingest is off: the redaction key could not be loaded');
    return undefined;
  }
}

/** The capture queue: its backlog is reported, and ingested exchanges are filed into it. */
function openQueue(redisUrl: string, config: ShadowdiffConfig, logger: Logger, registry: Registry): { queue: Queue<CaptureBatch>[]; ingest?: Ingest; close(): Promise<void> } {
  const { cluster, queueShards: shards, prefix } = config.redis;
  const connection = connectProducer({ url: redisUrl, cluster });
  connection.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
  const queue = openCaptureQueues(connection, { prefix, shards, cluster });
  const { tap } = config;
  const redaction = ingestRedaction(config, logger);
  const ingest =
    redaction &&
    createIngest({
      queue,
      redis: connection,
      options: { maxBodyBytes: tap.maxBodyBytes, maxQueuedBatches: tap.maxQueuedBatches, batchSize: tap.batchSize, joinWindowMs: tap.recorder.joinWindowMs, redaction },
      metrics: createIngestMetrics(registry),
      logger,
    });
  return {
    queue,
    ...(ingest ? { ingest } : {}),
    async close() {
      ingest?.close();
      await closeCaptureQueues(queue);
      connection.disconnect();
    },
  };
}

/**
 * Starts the API. Without a token it only binds to loopback, and says so if asked otherwise.
 * Given Redis, `/readyz`, `/metrics` and active runs also report the capture queue's backlog,
 * and exchanges posted to `/api/v1/ingest/*` are redacted with the taps' key and queued.
 */
export async function startApiService(config: ShadowdiffConfig, deps: { pool: Pool; logger: Logger; redisUrl?: string }): Promise<ApiService> {
  const { host, port } = config.api;
  const tokens = apiTokens(config.api);
  checkExposure(host, tokens);
  const logger = deps.logger.child({ service: 'api' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shadowdiff_api_' });
  const queue = deps.redisUrl ? openQueue(deps.redisUrl, config, logger, registry) : undefined;
  let pipeline: PipelineMonitor | undefined;
  if (queue) {
    pipeline = createPipelineMonitor(queue.queue, config.api.maxResultLagSeconds);
    registerPipelineGauges(registry, pipeline);
  }
  const closeQueue = async (): Promise<void> => queue?.close();
  const app = createApp({
    pool: deps.pool,
    logger,
    registry,
    noise: config.noise,
    rules: config.diff.rules,
    tokens,
    ...(pipeline ? { pipeline } : {}),
    ...(queue?.ingest ? { ingest: queue.ingest } : {}),
    ingestMaxBodyBytes: config.api.ingest.maxBodyBytes,
  });
  const server: Server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(listenError(error, 'API', host, port, '--api-port N (or SHADOWDIFF_API_PORT)')) : resolve(s)));
  }).catch(async (error: unknown) => {
    await closeQueue();
    throw error;
  });
  const url = urlOf(server);
  logger.info({ url }, 'api listening');
  return {
    url,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await closeQueue();
    },
  };
}
