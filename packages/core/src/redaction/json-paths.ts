/**
 * The small JSON path dialect used to name secret fields: `$.a.b`, `$.items[*].token`,
 * `$.list[0]`, `$['odd key']`, and `$..password` (that key at any depth).
 */

type Step = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };
/** One step, and whether it may match at any depth below the current node. */
interface PathStep {
  step: Step;
  deep: boolean;
}

/** A compiled path. */
export interface JsonPath {
  readonly steps: readonly PathStep[];
  /** Key names in the path: a body that contains none of them cannot hold the field. */
  readonly names: readonly string[];
}

const TOKEN = /(\.\.?)(?:([A-Za-z0-9_$-]+)|(\*))|(\.\.)?\[(?:(\*)|(\d+)|'([^']+)')\]/y;

/** Compiles a path of the dialect above; throws on anything else. */
export function compileJsonPath(path: string): JsonPath {
  if (!path.startsWith('$') || path.length < 2) throw new Error(`not a JSON path: ${path}`);
  const steps: PathStep[] = [];
  TOKEN.lastIndex = 1;
  while (TOKEN.lastIndex < path.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(path);
    if (!m) throw new Error(`not a JSON path: ${path} (at ${at})`);
    const deep = m[1] === '..' || m[4] === '..';
    if (m[2] !== undefined) steps.push({ deep, step: { kind: 'key', name: m[2] } });
    else if (m[3] !== undefined || m[5] !== undefined) steps.push({ deep, step: { kind: 'any' } });
    else if (m[6] !== undefined) steps.push({ deep, step: { kind: 'index', index: Number(m[6]) } });
    else steps.push({ deep, step: { kind: 'key', name: m[7]! } });
  }
  const names = steps.flatMap((s) => (s.step.kind === 'key' ? [s.step.name] : []));
  return { steps, names };
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function children(node: Container): [string | number, unknown][] {
  return Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
}

function stepMatches(step: Step, key: string | number): boolean {
  if (step.kind === 'any') return true;
  if (step.kind === 'index') return key === step.index;
  return key === step.name;
}

/**
 * Replaces, in place, every value of `root` that `path` names with `replace(value)`.
 * Returns how many values were replaced.
 */
export function replaceAtPath(root: unknown, path: JsonPath, replace: (value: unknown) => unknown): number {
  let replaced = 0;
  const visit = (node: unknown, i: number): void => {
    if (!isContainer(node)) return;
    const { step, deep } = path.steps[i]!;
    const last = i === path.steps.length - 1;
    for (const [key, value] of children(node)) {
      if (stepMatches(step, key)) {
        if (last) {
          (node as Record<string | number, unknown>)[key] = replace(value);
          replaced++;
          continue;
        }
        visit(value, i + 1);
      }
      if (deep) visit(value, i);
    }
  };
  visit(root, 0);
  return replaced;
}
