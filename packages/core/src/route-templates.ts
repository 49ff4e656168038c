/**
 * Turns concrete request paths into route templates so statistics aggregate per route:
 * `GET /users/42/orders?x=1` → `GET /users/{id}/orders`.
 */
import { compileRouteGlob } from './route-patterns.ts';

const NUMERIC = /^-?\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{12,}$/i;
/** Long opaque tokens: mixed letters and digits, no vowel-heavy words. */
const OPAQUE = /^[A-Za-z0-9_-]{20,}$/;

function isIdentifierSegment(segment: string): boolean {
  if (NUMERIC.test(segment) || UUID.test(segment) || HEX.test(segment)) return true;
  return OPAQUE.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment);
}

/** A configured pattern such as `/users/:id/orders`, compiled once. */
export interface RoutePattern {
  readonly pattern: string;
  /** Anchored expression on a request path. */
  readonly regex: RegExp;
  /** The route of a matching path: `/users/{id}/orders`. */
  readonly template: string;
}

/** Compiles a configured route template (a path pattern, see `compileRouteGlob`). */
export function compileRoutePattern(pattern: string): RoutePattern {
  const glob = compileRouteGlob(pattern);
  return { pattern, regex: glob.path, template: glob.template };
}

/** Path part of a request target, without query string or fragment. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The route of a request: method plus the first matching configured pattern, else the path with
 * identifier-like segments replaced by `{id}`.
 */
export function templateRoute(method: string, url: string, patterns: readonly RoutePattern[] = []): string {
  const path = pathOf(url) || '/';
  for (const p of patterns) {
    if (p.regex.test(path)) return `${method.toUpperCase()} ${p.template}`;
  }
  const templated = path
    .split('/')
    .map((segment) => (segment !== '' && isIdentifierSegment(segment) ? '{id}' : segment))
    .join('/');
  return `${method.toUpperCase()} ${templated}`;
}
