import { compileFieldGlob, compileNameGlob, compileRouteGlob } from '@shadowdiff/diff';

interface FieldRule {
  name: string;
  route: RegExp | undefined;
  matches(field: string): boolean;
}

/** Answers which rule, if any, hides a whole field of a route. */
export interface FieldIgnorer {
  ruleFor(route: string, field: string): string | undefined;
}

function compileOne(rule: Record<string, unknown>): FieldRule | undefined {
  const name = typeof rule.name === 'string' ? rule.name : undefined;
  if (!name) return undefined;
  const route = typeof rule.route === 'string' ? compileRouteGlob(rule.route) : undefined;
  if (rule.kind === 'ignoreField' && Array.isArray(rule.fields)) {
    const globs = rule.fields.filter((f): f is string => typeof f === 'string').map(compileFieldGlob);
    return { name, route, matches: (field) => globs.some((re) => re.test(field)) };
  }
  if (rule.kind === 'ignoreHeader' && Array.isArray(rule.headers)) {
    const names = rule.headers.filter((h): h is string => typeof h === 'string').map(compileNameGlob);
    return { name, route, matches: (field) => field.startsWith('header.') && names.some((re) => re.test(field.slice(7))) };
  }
  return undefined;
}

/**
 * Read-time ignoring. Rules that hide whole fields (`ignoreField`, `ignoreHeader`) apply to
 * differences already stored as soon as they are added; rules that judge values (tolerances,
 * formats, subset, array modes) need the values compared again, so they apply to exchanges
 * diffed after they were added. Malformed stored rules are skipped, never fatal.
 */
export function createFieldIgnorer(rules: readonly unknown[]): FieldIgnorer {
  const compiled: FieldRule[] = [];
  for (const rule of rules) {
    if (typeof rule !== 'object' || rule === null) continue;
    try {
      const one = compileOne(rule as Record<string, unknown>);
      if (one) compiled.push(one);
    } catch {
      // an invalid glob hides nothing
    }
  }
  return {
    ruleFor(route, field) {
      return compiled.find((rule) => (rule.route === undefined || rule.route.test(route)) && rule.matches(field))?.name;
    },
  };
}
