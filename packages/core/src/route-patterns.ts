/**
 * Route patterns, one grammar for every place that selects routes: what the tap mirrors or
 * records, which routes a diff rule applies to, and configured route templates.
 *
 *   [METHOD ]/path
 *
 * The method is upper case or `*`; without one, any method matches. In the path, `*` stands for
 * one segment or part of one (`/files/*.png`), a `**` segment for any number of segments
 * (including none), and a `:name` segment for one non-empty segment, templated as `{name}`.
 * Anything else is literal. Patterns never see the query string. Any string compiles.
 */

/** How a pattern is matched. */
export interface RouteGlobOptions {
  /**
   * `optional` (the default): `/users/*` also matches `/users/42/`, as request paths may end in a
   * slash. `exact`: a trailing slash counts, as when matching route templates, which are exact.
   */
  trailingSlash?: 'optional' | 'exact';
}

/** A compiled route pattern. */
export interface RouteGlob {
  readonly pattern: string;
  /** The method the pattern is limited to; undefined: any. */
  readonly method: string | undefined;
  /** Anchored expression on a request path (without query string): `/users/42`. */
  readonly path: RegExp;
  /** Anchored expression on a route string: `GET /users/{id}`. */
  readonly route: RegExp;
  /** The path of the pattern as a route template: `:name` segments become `{name}`. */
  readonly template: string;
  /** True when a request with this method and path (without query string) matches. */
  matches(method: string, path: string): boolean;
}

const METHOD_PREFIX = /^\s*([A-Z]+|\*) +(?=\/)/;
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const literalWithStars = (text: string): string => text.split('*').map(escapeRegex).join('[^/]*');

/** Compiles a route pattern (see the grammar above). Never throws. */
export function compileRouteGlob(pattern: string, options: RouteGlobOptions = {}): RouteGlob {
  // Not trimmed: a space is a character a path segment may hold.
  const prefix = METHOD_PREFIX.exec(pattern);
  const method = prefix && prefix[1] !== '*' ? prefix[1] : undefined;
  const [head = '', ...segments] = (prefix ? pattern.slice(prefix[0].length) : pattern).split('/');
  let source = literalWithStars(head);
  const template = [head];
  for (const segment of segments) {
    if (segment === '**') {
      source += '(?:/[^/]*)*';
      template.push(segment);
    } else if (segment.startsWith(':')) {
      source += '/[^/]+';
      template.push(`{${segment.slice(1)}}`);
    } else {
      source += `/${literalWithStars(segment)}`;
      template.push(segment);
    }
  }
  if (options.trailingSlash !== 'exact') source += '/?';
  const path = new RegExp(`^${source}$`);
  const route = new RegExp(`^${method === undefined ? '[^ ]*' : escapeRegex(method)} ${source}$`);
  return {
    pattern,
    method,
    path,
    route,
    template: template.join('/'),
    matches: (m, p) => (method === undefined || m === method) && path.test(p),
  };
}
