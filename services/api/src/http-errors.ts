import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ShadowdiffError, type Logger } from '@shadowdiff/core';

/** The one place errors become HTTP responses: `{ error: { code, message } }`, no internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (error instanceof ShadowdiffError) {
      res.status(error.httpStatus).json({ error: { code: error.code, message: error.message } });
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if (status === 400 || status === 413 || status === 415) {
      // body-parser's errors: malformed or oversized JSON bodies.
      const type = (error as { type?: string }).type ?? 'bad_request';
      res.status(status).json({ error: { code: type.replace(/\./g, '_'), message: (error as Error).message } });
      return;
    }
    logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no such endpoint: ${req.method} ${req.path}` } });
};
