/**
 * Guards against web pages the user visits. A tokenless API on loopback answers only requests
 * addressed to it by a loopback name and its own port, so a page whose DNS name is rebound to
 * 127.0.0.1 is refused. A request that changes anything from a page of another origin is refused
 * in every case; no CORS headers are ever sent.
 */
import type { RequestHandler } from 'express';
import { ForbiddenError } from '@shadowdiff/core';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `host` and `port` of a Host header (`[::1]:8081`, `localhost`), or undefined when malformed. */
function parseHost(header: string): { name: string; port: number | null } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? null : Number(match[2]) };
}

/** Whether a host name or address (`localhost`, `127.0.0.1`, `::1` or `[::1]`) is this machine's loopback. */
export const isLoopbackHost = (name: string): boolean =>
  name === 'localhost' || name.endsWith('.localhost') || name === '::1' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);

/** Refuses requests whose Host is not a loopback name with the port they arrived on. */
export function loopbackHostGuard(): RequestHandler {
  return (req, _res, next) => {
    const host = parseHost(req.headers.host ?? '');
    const port = req.socket.localPort;
    if (!host || !isLoopbackHost(host.name) || (host.port ?? 80) !== port) {
      next(new ForbiddenError(`this API answers only requests addressed to a loopback name on port ${port}, not to "${req.headers.host ?? ''}" (configure api.token to serve other names)`));
      return;
    }
    next();
  };
}

/** Refuses requests that change something when their Origin is not the API's own. */
export function sameOriginWrites(): RequestHandler {
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (SAFE_METHODS.has(req.method) || origin === undefined) {
      next();
      return;
    }
    const own = [`http://${req.headers.host}`, `https://${req.headers.host}`];
    if (!own.includes(origin)) {
      next(new ForbiddenError(`requests that change data are not accepted from another origin (${origin})`));
      return;
    }
    next();
  };
}
