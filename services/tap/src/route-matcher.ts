/**
 * Route patterns for what the tap mirrors: `[METHOD ]/path` where `*` stands for one path segment
 * or part of one (`/files/*.png`) and `**` for any number of segments. The query never matters.
 */
export type RouteMatcher = (method: string, path: string) => boolean;

function segmentRegex(segment: string): string {
  if (segment === '**') return '(?:/[^/]*)*';
  const escaped = segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return `/${escaped}`;
}

/** Compiles one pattern; `GET /users/*` only matches GET, `/users/*` and `* /users/*` any method. */
export function compileRoute(pattern: string): RouteMatcher {
  const match = /^(?:([A-Z]+|\*) +)?(\/\S*)$/.exec(pattern.trim());
  if (!match) throw new Error(`not a route pattern: ${pattern}`);
  const method = match[1] === undefined || match[1] === '*' ? undefined : match[1];
  const segments = match[2]!.split('/').slice(1);
  const regex = new RegExp(`^${segments.map(segmentRegex).join('')}/?$`);
  return (m, path) => (method === undefined || m === method) && regex.test(path);
}

/** A matcher that is true when any of `patterns` matches; undefined when there are none. */
export function compileRoutes(patterns: readonly string[]): RouteMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map(compileRoute);
  return (method, path) => matchers.some((m) => m(method, path));
}

/** Path part of a request target, without query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
