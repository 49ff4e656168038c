import { compileIgnoredFields, compileRuleRoute, diffRuleSchema, type DiffRule } from '@shadowdiff/diff';

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
  const matches = compileIgnoredFields(rule);
  return matches && { name: rule.name, route: rule.route === undefined ? undefined : compileRuleRoute(rule.route), matches };
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
