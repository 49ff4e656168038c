/**
 * Response header comparison: names case-insensitive, multi-valued headers joined with ", ".
 */
import { compileNameGlob } from './field-path.ts';
import type { RawDifference } from './raw-difference.ts';

type Headers = Record<string, string | string[]>;

/** Decides whether a lower-case header name is left out of the comparison. */
export type HeaderFilter = (name: string) => boolean;

function normalise(headers: Headers, skip: HeaderFilter): Map<string, string> {
  const out = new Map<string, string>();
  for (const key in headers) {
    const name = key.toLowerCase();
    if (skip(name)) continue;
    const raw = headers[key]!;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const existing = out.get(name);
    out.set(name, existing === undefined ? value : `${existing}, ${value}`);
  }
  return out;
}

/** Header differences (`header.<name>`; added / removed / changed), sorted by name, appended to `out`. */
export function compareHeaders(primary: Headers, other: Headers, skip: HeaderFilter, out: RawDifference[]): void {
  const a = normalise(primary, skip);
  const b = normalise(other, skip);
  const names = new Set([...a.keys(), ...b.keys()]);
  for (const name of [...names].sort()) {
    const pv = a.get(name);
    const ov = b.get(name);
    if (pv === ov) continue;
    const field = `header.${name}`;
    if (pv === undefined) out.push({ kind: 'added', field, path: field, other: ov, member: true });
    else if (ov === undefined) out.push({ kind: 'removed', field, path: field, primary: pv, member: true });
    else out.push({ kind: 'changed', field, path: field, primary: pv, other: ov });
  }
}

/**
 * Compiles header names to skip (`date`, `x-trace-*`, `x-*-id`) into one fast predicate: exact
 * names in a set, names with a `*` as one expression. A `*` means what it means in an
 * `ignoreHeader` rule (`compileNameGlob`), so the option and the rule skip the same headers.
 */
export function createHeaderFilter(names: readonly string[]): HeaderFilter {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (name.includes('*')) globs.push(compileNameGlob(name));
    else if (name !== '') exact.add(name);
  }
  if (globs.length === 0) return (name) => exact.has(name);
  const anyGlob = new RegExp(globs.map((re) => `(?:${re.source})`).join('|'), 'i');
  return (name) => exact.has(name) || anyGlob.test(name);
}
