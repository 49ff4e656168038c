/**
 * Compiles comparison rules once per run, and answers per exchange which rules apply and whether
 * one hides a difference. Nothing here compiles a regular expression per exchange.
 */
import { compileRouteGlob, ConfigError, type ShadowSide } from '@shadowdiff/core';
import type { ArrayRule } from './compare-json.ts';
import { compileFieldGlob } from './field-path.ts';
import { compileIgnoredFields } from './ignored-fields.ts';
import type { RawDifference } from './raw-difference.ts';
import { type DiffRule, ruleLabel } from './rule-schema.ts';
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

/** Distinct routes whose active rules are remembered; routes are templated, so this is rarely reached. */
const MAX_CACHED_ROUTES = 1000;

/** True when two numbers are within the tolerance (see `NumericToleranceRule`). */
export function withinTolerance(a: number, b: number, absolute = 0, relative = 0): boolean {
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * A rule's `route` glob (`GET /users/*`, `* /admin/**`, `GET /users/{id}`) as an expression on
 * route templates. Templates are exact, so a trailing slash counts.
 */
export function compileRuleRoute(glob: string): RegExp {
  return compileRouteGlob(glob, { trailingSlash: 'exact' }).route;
}

/**
 * Compiles rules already in the rule language (`diffRuleSchema`, `parseStoredRules`). Throws one
 * `ConfigError` listing what only compiling finds: a duplicate name, a field glob or regular
 * expression that does not compile.
 */
export function compileRules(rules: readonly DiffRule[]): CompiledRules {
  const problems: string[] = [];
  const filters: CompiledFilter[] = [];
  const arrayRules: CompiledArrayRule[] = [];
  const names = new Set<string>();

  rules.forEach((rule, index) => {
    const problem = (message: string): void => void problems.push(`${ruleLabel(index, rule)}: ${message}`);
    if (names.has(rule.name)) problem(`duplicate name ${JSON.stringify(rule.name)}`);
    names.add(rule.name);

    const compile = <T>(what: string, build: () => T): T | undefined => {
      try {
        return build();
      } catch (error) {
        problem(`${what}: ${(error as Error).message}`);
        return undefined;
      }
    };
    const glob = (value: string, what = 'field'): RegExp | undefined => compile(what, () => compileFieldGlob(value));
    const route = rule.route === undefined ? undefined : compileRuleRoute(rule.route);
    const name = rule.name;

    switch (rule.kind) {
      case 'ignoreField':
      case 'ignoreHeader': {
        let hidden: ((field: string) => boolean) | undefined;
        try {
          hidden = compileIgnoredFields(rule);
        } catch (error) {
          return problem((error as Error).message);
        }
        if (hidden) filters.push({ name, route, hides: (d) => hidden(d.field) });
        return;
      }
      case 'numericTolerance': {
        const match = glob(rule.field);
        const { absolute, relative } = rule;
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
        if (match) arrayRules.push({ route, match, key: rule.key });
        return;
      }
      case 'equivalentFormat': {
        const match = glob(rule.field);
        const pattern = rule.pattern ?? '';
        const format =
          rule.format === 'uuid'
            ? UUID_PATTERN
            : rule.format === 'iso-timestamp'
              ? ISO_TIMESTAMP_PATTERN
              : compile('pattern', () => new RegExp(`^(?:${pattern})$`));
        if (!match || !format) return;
        filters.push({
          name,
          route,
          hides: (d) =>
            d.kind === 'changed' &&
            typeof d.primary === 'string' &&
            typeof d.other === 'string' &&
            match.test(d.field) &&
            format.test(d.primary) &&
            format.test(d.other),
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
