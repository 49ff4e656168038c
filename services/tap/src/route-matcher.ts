/**
 * Which requests the tap mirrors or records, by route pattern (`[METHOD ]/path`, see
 * `compileRouteGlob` in `@shadowdiff/core`). The query never matters.
 */
import { compileRouteGlob } from '@shadowdiff/core';

export { pathOf } from '@shadowdiff/core';

export type RouteMatcher = (method: string, path: string) => boolean;

/** Compiles one pattern; `GET /users/*` only matches GET, `/users/*` and `* /users/*` any method. */
export function compileRoute(pattern: string): RouteMatcher {
  return compileRouteGlob(pattern).matches;
}

/** A matcher that is true when any of `patterns` matches; undefined when there are none. */
export function compileRoutes(patterns: readonly string[]): RouteMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map(compileRoute);
  return (method, path) => matchers.some((m) => m(method, path));
}
