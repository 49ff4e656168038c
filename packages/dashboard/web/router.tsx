import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';

/** Every view has its own URL; this is the small history-API router that maps them. */
export interface Route {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

const PATTERNS: [string, RegExp, string[]][] = [
  ['runs', /^\/$/, []],
  ['run', /^\/runs\/([^/]+)$/, ['run']],
  ['route', /^\/runs\/([^/]+)\/endpoints\/([^/]+)$/, ['run', 'route']],
  ['field', /^\/runs\/([^/]+)\/endpoints\/([^/]+)\/fields\/([^/]+)$/, ['run', 'route', 'field']],
  ['exchange', /^\/exchanges\/([^/]+)$/, ['id']],
];

export function parseLocation(pathname: string, search: string): Route {
  for (const [name, regex, keys] of PATTERNS) {
    const match = regex.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1]!)));
    return { name, params, query: new URLSearchParams(search) };
  }
  return { name: 'not-found', params: {}, query: new URLSearchParams(search) };
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocationRoute(): Route {
  const [route, setRoute] = useState(() => parseLocation(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(parseLocation(location.pathname, location.search));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

export const RouteContext = createContext<Route>(parseLocation('/', ''));
export const useRoute = () => useContext(RouteContext);

/** An in-app link: a real `<a href>` (shareable, opens in a new tab) that navigates without reload. */
export function Link(props: { href: string; children: preact.ComponentChildren; class?: string; title?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      title={props.title}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
