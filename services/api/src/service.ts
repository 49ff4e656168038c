import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, listenError, type Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import type { Pool } from '@shadowdiff/store';
import { createApp } from './app';

export interface ApiService {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts the API. Without a token it only binds to loopback, and says so if asked otherwise. */
export async function startApiService(config: ShadowdiffConfig, deps: { pool: Pool; logger: Logger }): Promise<ApiService> {
  const { host, port, token } = config.api;
  if (!token && !LOOPBACK.has(host)) {
    throw new ConfigError(
      `the API is asked to listen on ${host} without a token: set SHADOWDIFF_API_TOKEN (16+ characters) or bind api.host to 127.0.0.1`,
    );
  }
  const logger = deps.logger.child({ service: 'api' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shadowdiff_api_' });
  const app = createApp({
    pool: deps.pool,
    logger,
    registry,
    noise: config.noise,
    rules: config.diff.rules,
    ...(token ? { token } : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(listenError(error, 'API', host, port, '--api-port N (or SHADOWDIFF_API_PORT)')) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, 'api listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
