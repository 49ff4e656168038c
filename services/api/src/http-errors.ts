import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ShadowdiffError, type Logger } from '@shadowdiff/core';
import { isDatabaseUnavailable } from '@shadowdiff/store';

/** The one place errors become HTTP responses: `{ error: { code, message } }`, no internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ShadowdiffError) {
      const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') res.set('retry-after', String(retryAfter));
      res.status(error.httpStatus).json({ error: { code: error.code, message: error.message } });
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if (status === 400 && error instanceof URIError) {
      // The router could not decode a path segment (`/runs/%zz`).
      res.status(400).json({ error: { code: 'bad_request', message: `a path parameter is not valid percent-encoding (${req.path}): ${error.message}` } });
      return;
    }
    if (status === 400 || status === 413 || status === 415) {
      // body-parser's errors: malformed or oversized JSON bodies.
      const type = (error as { type?: string }).type ?? 'bad_request';
      res.status(status).json({ error: { code: type.replace(/\./g, '_'), message: (error as Error).message } });
      return;
    }
    // Postgres down, restarting or out of connections: a 503, so clients retry rather than report a bug.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: (error as Error).message }, 'database unavailable');
      res.status(503).json({ error: { code: 'dependency_unavailable', message: 'the database is unavailable; try again shortly' } });
      return;
    }
    logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

/** A JSON 404 for paths no endpoint serves. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no such endpoint: ${req.method} ${req.path}` } });
};
