import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads `path` from the API, again when it changes, and every `refreshMs` when given. */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const inFlight = useRef(false);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    inFlight.current = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path)
      .then(
        (data) => live && setState({ data, loading: false }),
        (error: Error) => live && setState({ error, loading: false }),
      )
      .finally(() => {
        inFlight.current = false;
      });
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    // A refresh never overlaps the previous one: a slow API is not asked twice at once.
    const timer = setInterval(() => {
      if (!inFlight.current) reload();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
