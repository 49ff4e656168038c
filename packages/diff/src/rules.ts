/**
 * Compiles comparison rules once per run, and answers per exchange which rules apply and whether
 * one hides a difference. Nothing here compiles a regular expression per exchange.
 */
import { ConfigError, type ShadowSide } from '@shadowdiff/core';
import type { ArrayRule } from './compare-json.ts';
import { compileFieldGlob, compileNameGlob, compileRouteGlob } from './field-path.ts';
import type { RawDifference } from './raw-difference.ts';
import type { DiffRule, DiffRuleKind } from './types.ts';
import { ISO_TIMESTAMP_PATTERN, UUID_PATTERN } from './volatile.ts';

/** The rules that apply to one route. */
export interface ActiveRules {
  /** Rules that change how arrays are compared (`arrayAsSet`, `arrayKeyedBy`). */
  readonly arrayRules: readonly ArrayRule[];
  /** Name of the first rule that hides `difference` on `side`, if any. */
  hiddenBy(difference: RawDifference, side: ShadowSide): string | undefined;
}

/** Rules of a run, compiled. */
export interface CompiledRules {
  forRoute(route: string): ActiveRules;
}

interface Scoped {
  readonly route: RegExp | undefined;
}
interface CompiledFilter extends Scoped {
  readonly name: string;
  hides(d: RawDifference, side: ShadowSide): boolean;
}
interface CompiledArrayRule extends Scoped, ArrayRule {}

const RULE_KINDS: readonly DiffRuleKind[] = [
  'ignoreField',
  'ignoreHeader',
  'numericTolerance',
  'arrayAsSet',
  'arrayKeyedBy',
  'equivalentFormat',
  'subset',
];
/** Distinct routes whose active rules are remembered; routes are templated, so this is rarely reached. */
const MAX_CACHED_ROUTES = 1000;

const isFiniteNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** True when two numbers are within the tolerance (see `NumericToleranceRule`). */
export function withinTolerance(a: number, b: number, absolute = 0, relative = 0): boolean {
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * Validates and compiles rules. Throws one `ConfigError` listing every problem (unknown kind,
 * duplicate name, bad glob or regular expression, missing or negative tolerance…).
 */
export function compileRules(rules: readonly DiffRule[]): CompiledRules {
  const problems: string[] = [];
  const filters: CompiledFilter[] = [];
  const arrayRules: CompiledArrayRule[] = [];
  const names = new Set<string>();

  rules.forEach((rule, index) => {
    const where = `rules[${index}]${typeof rule?.name === 'string' ? ` (${rule.name})` : ''}`;
    const problem = (message: string): void => void problems.push(`${where}: ${message}`);
    if (rule === null || typeof rule !== 'object') return problem('must be an object');
    if (typeof rule.name !== 'string' || rule.name.trim() === '') problem('name is required');
    else if (names.has(rule.name)) problem(`duplicate name ${JSON.stringify(rule.name)}`);
    else names.add(rule.name);
    if (!RULE_KINDS.includes(rule.kind)) {
      return problem(`unknown kind ${JSON.stringify(rule.kind)}; one of ${RULE_KINDS.join(', ')}`);
    }

    const compile = <T>(what: string, build: () => T): T | undefined => {
      try {
        return build();
      } catch (error) {
        problem(`${what}: ${(error as Error).message}`);
        return undefined;
      }
    };
    const glob = (value: unknown, what = 'field'): RegExp | undefined => {
      if (typeof value !== 'string' || value.trim() === '') {
        problem(`${what} must be a non-empty field glob`);
        return undefined;
      }
      return compile(what, () => compileFieldGlob(value));
    };
    let route: RegExp | undefined;
    if (rule.route !== undefined) {
      if (typeof rule.route !== 'string' || rule.route.trim() === '') problem('route must be a non-empty route glob');
      else route = compileRouteGlob(rule.route);
    }
    const name = rule.name;

    switch (rule.kind) {
      case 'ignoreField': {
        if (!Array.isArray(rule.fields) || rule.fields.length === 0) return problem('fields must list at least one field glob');
        const matchers = rule.fields.map((f, i) => glob(f, `fields[${i}]`));
        if (matchers.some((m) => m === undefined)) return;
        const res = matchers as RegExp[];
        filters.push({ name, route, hides: (d) => res.some((re) => re.test(d.field)) });
        return;
      }
      case 'ignoreHeader': {
        const headers: unknown = rule.headers;
        if (!Array.isArray(headers) || headers.length === 0 || headers.some((h) => typeof h !== 'string' || h.trim() === '')) {
          return problem('headers must list at least one header name');
        }
        const res = rule.headers.map(compileNameGlob);
        filters.push({
          name,
          route,
          hides: (d) => d.field.startsWith('header.') && res.some((re) => re.test(d.field.slice(7))),
        });
        return;
      }
      case 'numericTolerance': {
        const match = glob(rule.field);
        const { absolute, relative } = rule;
        if (absolute === undefined && relative === undefined) return problem('set absolute and/or relative');
        if (absolute !== undefined && !isFiniteNonNegative(absolute)) return problem('absolute must be a number >= 0');
        if (relative !== undefined && !isFiniteNonNegative(relative)) return problem('relative must be a number >= 0');
        if (!match) return;
        filters.push({
          name,
          route,
          hides: (d) =>
            d.kind === 'changed' &&
            typeof d.primary === 'number' &&
            typeof d.other === 'number' &&
            match.test(d.field) &&
            withinTolerance(d.primary, d.other, absolute, relative),
        });
        return;
      }
      case 'arrayAsSet': {
        const match = glob(rule.field);
        if (match) arrayRules.push({ route, match });
        return;
      }
      case 'arrayKeyedBy': {
        const match = glob(rule.field);
        if (typeof rule.key !== 'string' || rule.key === '') return problem('key must name the identifying member');
        if (match) arrayRules.push({ route, match, key: rule.key });
        return;
      }
      case 'equivalentFormat': {
        const match = glob(rule.field);
        let format: RegExp | undefined;
        if (rule.format === 'uuid') format = UUID_PATTERN;
        else if (rule.format === 'iso-timestamp') format = ISO_TIMESTAMP_PATTERN;
        else if (rule.format === 'regex') {
          if (typeof rule.pattern !== 'string' || rule.pattern === '') return problem('pattern is required with format regex');
          const pattern = rule.pattern;
          format = compile('pattern', () => new RegExp(`^(?:${pattern})$`));
        } else return problem('format must be uuid, iso-timestamp or regex');
        if (!match || !format) return;
        const re = format;
        filters.push({
          name,
          route,
          hides: (d) =>
            d.kind === 'changed' &&
            typeof d.primary === 'string' &&
            typeof d.other === 'string' &&
            match.test(d.field) &&
            re.test(d.primary) &&
            re.test(d.other),
        });
        return;
      }
      case 'subset': {
        const match = glob(rule.field ?? 'body.**');
        if (!match) return;
        filters.push({
          name,
          route,
          hides: (d, side) => side === 'candidate' && d.kind === 'added' && d.member === true && match.test(d.field),
        });
        return;
      }
    }
  });
  if (problems.length > 0) throw new ConfigError(`invalid diff rules: ${problems.join('; ')}`, problems);
  return createCompiledRules(filters, arrayRules);
}

function activeRules(filters: readonly CompiledFilter[], arrayRules: readonly ArrayRule[]): ActiveRules {
  return {
    arrayRules,
    hiddenBy(d, side) {
      for (const f of filters) if (f.hides(d, side)) return f.name;
      return undefined;
    },
  };
}

function createCompiledRules(filters: readonly CompiledFilter[], arrayRules: readonly CompiledArrayRule[]): CompiledRules {
  const scoped = filters.some((f) => f.route) || arrayRules.some((r) => r.route);
  if (!scoped) {
    const all = activeRules(filters, arrayRules);
    return { forRoute: () => all };
  }
  const cache = new Map<string, ActiveRules>();
  return {
    forRoute(route) {
      let active = cache.get(route);
      if (active === undefined) {
        const applies = (r: Scoped): boolean => r.route === undefined || r.route.test(route);
        active = activeRules(filters.filter(applies), arrayRules.filter(applies));
        if (cache.size >= MAX_CACHED_ROUTES) cache.clear();
        cache.set(route, active);
      }
      return active;
    },
  };
}
