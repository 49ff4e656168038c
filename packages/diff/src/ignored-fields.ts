/**
 * What the rules that hide whole fields hide. The worker applies them when it diffs an exchange,
 * and the API when it reads differences stored before the rule was added: both ask here, so a
 * rule hides the same fields whenever it was added.
 */
import { compileFieldGlob, compileNameGlob } from './field-path.ts';
import type { DiffRule } from './rule-schema.ts';

const HEADER_PREFIX = 'header.';

/**
 * The test on a difference's field (`body.items[*].id`, `header.x-request-id`) of an
 * `ignoreField` or `ignoreHeader` rule; undefined for a rule that judges values rather than
 * hiding whole fields. Throws one error naming every glob that does not compile.
 */
export function compileIgnoredFields(rule: DiffRule): ((field: string) => boolean) | undefined {
  if (rule.kind === 'ignoreField') {
    const problems: string[] = [];
    const globs = rule.fields.map((glob, i) => {
      try {
        return compileFieldGlob(glob);
      } catch (error) {
        problems.push(`fields[${i}]: ${(error as Error).message}`);
        return undefined;
      }
    });
    if (problems.length > 0) throw new Error(problems.join('; '));
    return (field) => globs.some((re) => re!.test(field));
  }
  if (rule.kind === 'ignoreHeader') {
    const names = rule.headers.map(compileNameGlob);
    return (field) => field.startsWith(HEADER_PREFIX) && names.some((re) => re.test(field.slice(HEADER_PREFIX.length)));
  }
  return undefined;
}
