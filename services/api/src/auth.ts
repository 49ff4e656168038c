import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '@shadowdiff/core';

/** What a token may do: `read` runs, results, reports and the gate; `write` also change them. */
export type Scope = 'read' | 'write';

/** The configured bearer tokens of each scope (several each, for rotation). */
export interface ApiTokens {
  read: readonly string[];
  write: readonly string[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Whether any token is configured; without one the API is open, on loopback only. */
export const hasTokens = (tokens: ApiTokens | undefined): tokens is ApiTokens => tokens !== undefined && tokens.read.length + tokens.write.length > 0;

/**
 * Bearer-token check: the token's scope goes to `res.locals.scope`. Every configured token is
 * compared, each in constant time, so neither the match nor its position shows in the timing.
 * With no token configured every request gets `write` (the API then listens on loopback only,
 * behind the Host check).
 */
export function bearerAuth(tokens: ApiTokens | undefined): RequestHandler {
  if (!hasTokens(tokens)) {
    return (_req, res, next) => {
      res.locals.scope = 'write' satisfies Scope;
      next();
    };
  }
  const known = [...tokens.write.map((t) => ({ scope: 'write' as const, hash: digest(t) })), ...tokens.read.map((t) => ({ scope: 'read' as const, hash: digest(t) }))];
  return (req, res, next) => {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const given = digest(match?.[1] ?? '');
    let scope: Scope | undefined;
    for (const token of known) if (timingSafeEqual(given, token.hash) && scope !== 'write') scope = token.scope;
    if (!match || !scope) {
      next(new UnauthorizedError());
      return;
    }
    res.locals.scope = scope;
    next();
  };
}

/** Throws unless the request's token carries `scope`. */
export function requireScope(res: Response, scope: Scope): void {
  if (scope === 'write' && res.locals.scope !== 'write') throw new ForbiddenError('this endpoint changes data: it needs a write token (the token given can only read)');
}
