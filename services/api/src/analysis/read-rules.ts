import { compileFieldGlob, compileNameGlob, compileRuleRoute, diffRuleSchema, type DiffRule } from '@shadowdiff/diff';

interface FieldRule {
  name: string;
  route: RegExp | undefined;
  matches(field: string): boolean;
}

/** Answers which rule, if any, hides a whole field of a route. */
export interface FieldIgnorer {
  ruleFor(route: string, field: string): string | undefined;
}

function compileOne(rule: DiffRule): FieldRule | undefined {
  const { name } = rule;
  const route = rule.route === undefined ? undefined : compileRuleRoute(rule.route);
  if (rule.kind === 'ignoreField') {
    const globs = rule.fields.map(compileFieldGlob);
    return { name, route, matches: (field) => globs.some((re) => re.test(field)) };
  }
  if (rule.kind === 'ignoreHeader') {
    const names = rule.headers.map(compileNameGlob);
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
  for (const stored of rules) {
    const rule = diffRuleSchema.safeParse(stored);
    if (!rule.success) continue;
    try {
      const one = compileOne(rule.data);
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
