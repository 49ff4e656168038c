import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '@shadowdiff/core';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Bearer-token check; with no token configured every request passes (loopback-only use). */
export function bearerAuth(token: string | undefined): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      next(new UnauthorizedError());
      return;
    }
    next();
  };
}
