/**
 * Structural comparison of parsed JSON (and form) bodies with deep-diff.
 *
 * deep-diff walks objects; arrays are intercepted in its `normalize` hook because its own array
 * handling is index by index only. Here an array whose length changed yields one `array_length`
 * difference plus differences in the common prefix; a reordering of the same elements yields one
 * `order` difference; rules can compare an array as a set or match elements by a key.
 */
import deepDiff from 'deep-diff';
import { type PathSegment, renderPath, renderTemplate } from './field-path.ts';
import type { RawDifference } from './raw-difference.ts';
import type { DifferenceKind } from './types.ts';

/** How a matching array is compared: as a multiset (no `key`) or matched by `key`. */
export interface ArrayRule {
  /** Matches the array's field template. */
  readonly match: RegExp;
  readonly key?: string;
}

type Json = unknown;
type PlainObject = Record<string, Json>;

/** Root wrapper key: lets the `normalize` hook see the root value too. */
const ROOT = '\u0000';
/** Returned to deep-diff in place of a pair of arrays, which this module compares itself. */
const ARRAY_LEFT = Symbol('array (primary)');
const ARRAY_RIGHT = Symbol('array (other)');
/** Returned to deep-diff in place of a pair of wide objects, which this module compares itself. */
const WIDE_LEFT = Symbol('wide object (primary)');
const WIDE_RIGHT = Symbol('wide object (other)');
/**
 * Objects with more keys than this (on either side) are compared member by member here: deep-diff
 * matches keys with `indexOf`, quadratic in the number of keys.
 */
const WIDE_ABOVE_KEYS = 64;

function isPlainObject(value: Json): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON type name: `null`, `array`, `object`, `string`, `number`, `boolean`. */
export function jsonType(value: Json): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** Stable text of a value with object keys sorted: equal values give equal keys. */
export function canonicalKey(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

class JsonComparer {
  constructor(
    private readonly arrayRules: readonly ArrayRule[],
    private readonly out: RawDifference[],
  ) {}

  private push(kind: DifferenceKind, path: readonly PathSegment[], primary: Json, other: Json, member = false): void {
    const d: RawDifference = { kind, field: renderTemplate(path), path: renderPath(path) };
    if (primary !== undefined) d.primary = primary;
    if (other !== undefined) d.other = other;
    if (member) d.member = true;
    this.out.push(d);
  }

  /** Compares two values found at `path`, dispatching on their types. */
  compare(lhs: Json, rhs: Json, path: readonly PathSegment[]): void {
    if (lhs === rhs) return;
    if (Array.isArray(lhs) && Array.isArray(rhs)) this.compareArrays(lhs, rhs, path);
    else if (isPlainObject(lhs) && isPlainObject(rhs)) this.compareWithDeepDiff(lhs, rhs, path);
    else this.push(jsonType(lhs) === jsonType(rhs) ? 'changed' : 'type_changed', path, lhs, rhs);
  }

  private compareWithDeepDiff(lhs: Json, rhs: Json, base: readonly PathSegment[]): void {
    // Arrays met on the way are swapped for two distinct markers, so deep-diff reports an edit
    // exactly where (and in the order) each array pair sits; the pairs wait here meanwhile.
    // Wide objects are swapped for markers the same way.
    const arrays: [Json[], Json[]][] = [];
    const wide: [PlainObject, PlainObject][] = [];
    const changes = deepDiff.diff<Json, Json>({ [ROOT]: lhs }, { [ROOT]: rhs }, {
      normalize: (currentPath, key, l, r) => {
        if (Array.isArray(l) && Array.isArray(r)) {
          arrays.push([l, r]);
          return [ARRAY_LEFT, ARRAY_RIGHT];
        }
        if (isPlainObject(l) && isPlainObject(r)) {
          if (hasMoreKeysThan(l, WIDE_ABOVE_KEYS) || hasMoreKeysThan(r, WIDE_ABOVE_KEYS)) {
            wide.push([l, r]);
            return [WIDE_LEFT, WIDE_RIGHT];
          }
          this.reportAddedEmptyKey(l, r, currentPath, key, base);
        }
        return undefined;
      },
    });
    let nextArray = 0;
    let nextWide = 0;
    // No change of kind 'A' (inside an array) can come: deep-diff meets every value under the
    // root wrapper with a key, so `normalize` swaps every pair of arrays for markers first.
    for (const change of changes ?? []) {
      const path = [...base, ...((change.path ?? []).slice(1) as string[])];
      switch (change.kind) {
        case 'N':
          this.push('added', path, undefined, change.rhs, true);
          break;
        case 'D':
          this.push('removed', path, change.lhs, undefined, true);
          break;
        case 'E':
          if (change.lhs === ARRAY_LEFT) {
            const [l, r] = arrays[nextArray++]!;
            this.compareArrays(l, r, path);
          } else if (change.lhs === WIDE_LEFT) {
            const [l, r] = wide[nextWide++]!;
            this.compareMembers(l, r, path);
          } else {
            this.push(jsonType(change.lhs) === jsonType(change.rhs) ? 'changed' : 'type_changed', path, change.lhs, change.rhs);
          }
          break;
      }
    }
  }

  /**
   * Works around a deep-diff trait before it walks a pair of objects: a key `""` present only on
   * the right is skipped by it, so it is reported here.
   */
  private reportAddedEmptyKey(l: PlainObject, r: PlainObject, currentPath: readonly unknown[], key: unknown, base: readonly PathSegment[]): void {
    if (Object.hasOwn(r, '') && !Object.hasOwn(l, '')) {
      const at = key === ROOT ? [...base] : [...base, ...(currentPath.slice(1) as string[]), key as string];
      this.push('added', [...at, ''], undefined, r[''], true);
    }
  }

  /**
   * Two objects member by member, in deep-diff's order (the primary's keys, then the other's
   * extra keys), with keys looked up rather than searched: linear in the number of keys.
   */
  private compareMembers(l: PlainObject, r: PlainObject, path: readonly PathSegment[]): void {
    for (const k of Object.keys(l)) {
      if (!Object.hasOwn(r, k)) this.push('removed', [...path, k], l[k], undefined, true);
      else if (!flatEqual(l[k], r[k])) this.compare(l[k], r[k], [...path, k]);
    }
    for (const k of Object.keys(r)) {
      if (!Object.hasOwn(l, k)) this.push('added', [...path, k], undefined, r[k], true);
    }
  }

  private compareArrays(l: readonly Json[], r: readonly Json[], path: readonly PathSegment[]): void {
    if (this.arrayRules.length > 0) {
      const template = renderTemplate(path);
      for (const rule of this.arrayRules) {
        if (!rule.match.test(template)) continue;
        if (rule.key === undefined) this.compareAsSet(l, r, path, l.map((_, i) => i), r.map((_, i) => i));
        else this.compareKeyed(l, r, path, rule.key);
        return;
      }
    }
    const before = this.out.length;
    if (l.length !== r.length) this.push('array_length', path, l.length, r.length);
    const common = Math.min(l.length, r.length);
    const differing: number[] = [];
    for (let i = 0; i < common; i++) {
      if (flatEqual(l[i], r[i])) continue;
      const start = this.out.length;
      this.compare(l[i], r[i], [...path, i]);
      if (this.out.length > start) differing.push(i);
    }
    // Equal elements in equal places cancel out: only the differing places can be a reordering.
    if (l.length === r.length && differing.length >= 2 && sameMultiset(differing.map((i) => l[i]), differing.map((i) => r[i]))) {
      this.out.length = before;
      this.push('order', path, l, r);
    }
  }

  /** Elements matched by equal value; the unmatched ones are `removed` / `added` at their index. */
  private compareAsSet(
    l: readonly Json[],
    r: readonly Json[],
    path: readonly PathSegment[],
    lIndexes: readonly number[],
    rIndexes: readonly number[],
  ): void {
    const pending = new Map<string, number[]>();
    for (const i of lIndexes) {
      const key = canonicalKey(l[i]);
      const list = pending.get(key);
      if (list) list.push(i);
      else pending.set(key, [i]);
    }
    const added: number[] = [];
    for (const j of rIndexes) {
      const list = pending.get(canonicalKey(r[j]));
      if (list && list.length > 0) list.shift();
      else added.push(j);
    }
    const removed = [...pending.values()].flat().sort((a, b) => a - b);
    for (const i of removed) this.push('removed', [...path, i], l[i], undefined);
    for (const j of added) this.push('added', [...path, j], undefined, r[j]);
  }

  /** Elements matched by the value of `key`; elements without a usable key are compared as a set. */
  private compareKeyed(l: readonly Json[], r: readonly Json[], path: readonly PathSegment[], key: string): void {
    const lKeyed = indexByKey(l, key);
    const rKeyed = indexByKey(r, key);
    for (const [value, i] of lKeyed.index) {
      const segment = { key, value };
      const j = rKeyed.index.get(value);
      if (j === undefined) this.push('removed', [...path, segment], l[i], undefined);
      else this.compare(l[i], r[j], [...path, segment]);
    }
    for (const [value, j] of rKeyed.index) {
      if (!lKeyed.index.has(value)) this.push('added', [...path, { key, value }], undefined, r[j]);
    }
    if (lKeyed.rest.length > 0 || rKeyed.rest.length > 0) this.compareAsSet(l, r, path, lKeyed.rest, rKeyed.rest);
  }
}

type KeyValue = string | number | boolean;

function indexByKey(items: readonly Json[], key: string): { index: Map<KeyValue, number>; rest: number[] } {
  const index = new Map<KeyValue, number>();
  const duplicates = new Set<KeyValue>();
  const rest: number[] = [];
  items.forEach((item, i) => {
    const value = isPlainObject(item) ? item[key] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') rest.push(i);
    else if (index.has(value) || duplicates.has(value)) {
      // A duplicate key cannot identify an element: all its holders are compared as a set.
      if (index.has(value)) rest.push(index.get(value)!);
      index.delete(value);
      duplicates.add(value);
      rest.push(i);
    } else index.set(value, i);
  });
  rest.sort((a, b) => a - b);
  return { index, rest };
}

function hasMoreKeysThan(value: PlainObject, limit: number): boolean {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++count > limit) return true;
  return false;
}

/**
 * Deep equality of parsed JSON without recursion, for documents nested too deeply to walk: one
 * that the comparer cannot descend can still be told equal or not.
 */
export function jsonEqual(a: Json, b: Json): boolean {
  const pending: [Json, Json][] = [[a, b]];
  while (pending.length > 0) {
    const [l, r] = pending.pop()!;
    if (l === r) continue;
    if (Array.isArray(l)) {
      if (!Array.isArray(r) || l.length !== r.length) return false;
      for (let i = 0; i < l.length; i++) pending.push([l[i], r[i]]);
    } else if (isPlainObject(l)) {
      if (!isPlainObject(r)) return false;
      const keys = Object.keys(l);
      if (keys.length !== Object.keys(r).length) return false;
      for (const k of keys) {
        if (!Object.hasOwn(r, k)) return false;
        pending.push([l[k], r[k]]);
      }
    } else return false;
  }
  return true;
}

/**
 * Cheap equality for the common case of array elements: equal primitives, or flat objects with
 * the same primitive members. False means "not known equal" (the caller then walks them).
 */
function flatEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  let count = 0;
  for (const key in a) {
    const value = a[key];
    if (value !== null && typeof value === 'object') return false;
    if (!Object.hasOwn(a, key) || !Object.hasOwn(b, key) || b[key] !== value) return false;
    count++;
  }
  return count === Object.keys(b).length;
}

function sameMultiset(l: readonly Json[], r: readonly Json[]): boolean {
  const counts = new Map<string, number>();
  for (const item of l) {
    const key = canonicalKey(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const item of r) {
    const key = canonicalKey(item);
    const count = counts.get(key);
    if (!count) return false;
    counts.set(key, count - 1);
  }
  return true;
}

/**
 * Differences between two parsed documents, appended to `out`. Paths start with `root`
 * (`['body']`). May throw RangeError on pathologically deep documents; the caller falls back.
 */
export function compareJson(
  primary: Json,
  other: Json,
  root: readonly PathSegment[],
  arrayRules: readonly ArrayRule[],
  out: RawDifference[],
): void {
  new JsonComparer(arrayRules, out).compare(primary, other, root);
}
