import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { buildOpenApiDocument } from '../http/openapi.ts';
import { deadLetterHandlers } from './dead-letters.ts';
import { differenceHandlers } from './differences.ts';
import { exchangeHandlers } from './exchanges.ts';
import { exportHandlers } from './export.ts';
import { findingHandlers } from './findings.ts';
import { gateHandlers } from './gate.ts';
import { ingestHandlers } from './ingest.ts';
import { routeHandlers } from './routes.ts';
import { ruleHandlers } from './rules.ts';
import { runHandlers } from './runs.ts';

const API_INFO = { title: 'shadowdiff API', version: '1' };

/** Every /api/v1 handler, the OpenAPI document included. */
export function apiHandlers(ctx: ApiContext): HandlerSpec[] {
  const handlers = [
    ...runHandlers(ctx),
    ...routeHandlers(ctx),
    ...findingHandlers(ctx),
    ...differenceHandlers(ctx),
    ...exchangeHandlers(ctx),
    ...exportHandlers(ctx),
    ...ruleHandlers(ctx),
    ...gateHandlers(ctx),
    ...deadLetterHandlers(ctx),
    ...ingestHandlers(ctx),
  ];
  let document: Record<string, unknown> | undefined;
  const openapi = defineHandler({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    tag: 'meta',
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
    handle: async () => {
      document ??= buildOpenApiDocument([...handlers, openapi], API_INFO);
      return { status: 200, body: document };
    },
  });
  return [...handlers, openapi];
}

/** Handlers keep their context for the requests they will answer; describing them must not touch it. */
const noContext = new Proxy({} as ApiContext, {
  get: (_target, key) => {
    throw new Error(`describing the API needs no ${String(key)}`);
  },
});

/** The OpenAPI document without a running API (no database, no queue): clients are generated from it. */
export function openApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(apiHandlers(noContext), API_INFO);
}
