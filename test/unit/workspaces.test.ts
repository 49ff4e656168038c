import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The compiled build's wiring is written in three places per workspace (package.json's
 * dependencies and exports, tsconfig.build.json's references); these checks keep them saying the
 * same thing, so `tsc -b` compiles in dependency order and the compiled binary finds every module.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

interface Workspace {
  dir: string;
  name: string;
  dependencies: string[];
  exports: Record<string, unknown>;
}

const workspaces: Workspace[] = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => {
    const pkg = read(`${group}/${name}/package.json`) as { name: string; dependencies?: Record<string, string>; exports: Record<string, unknown> };
    return { dir: `${group}/${name}`, name: pkg.name, dependencies: Object.keys(pkg.dependencies ?? {}), exports: pkg.exports };
  }),
);
const byName = new Map(workspaces.map((w) => [w.name, w]));
// The test kit is used by tests only, which run from the sources: it is never compiled.
const compiled = workspaces.filter((w) => w.name !== '@shadowdiff/testkit');

describe('compiled build wiring', () => {
  it('the root build references every workspace but the test kit', () => {
    const references = (read('tsconfig.build.json').references as { path: string }[]).map((r) => r.path).sort();
    expect(references).toEqual(compiled.map((w) => `./${w.dir}/tsconfig.build.json`).sort());
  });

  for (const workspace of compiled) {
    it(`${workspace.name} references exactly the workspaces it depends on`, () => {
      const config = read(`${workspace.dir}/tsconfig.build.json`) as { references?: { path: string }[] };
      const referenced = (config.references ?? []).map((r) => resolve(root, workspace.dir, r.path)).sort();
      const expected = workspace.dependencies
        .filter((d) => byName.has(d))
        .map((d) => join(root, byName.get(d)!.dir, 'tsconfig.build.json'))
        .sort();
      expect(referenced.map((p) => relative(root, p))).toEqual(expected.map((p) => relative(root, p)));
    });

    it(`${workspace.name} exports its sources under the source condition and the same module compiled otherwise`, () => {
      const main = workspace.exports['.'] as Record<string, string>;
      expect(main['@shadowdiff/source']).toMatch(/^\.\/src\/.+\.ts$/);
      expect(main.default).toBe(main['@shadowdiff/source']!.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js'));
    });
  }
});

/**
 * The image installs production dependencies only (`npm prune --omit=dev`) and runs the compiled
 * JavaScript: the tools that compile or test the sources must stay development dependencies, or
 * they ship in every image.
 */
const buildTools = ['tsx', 'typescript', 'vite', 'vitest', 'esbuild'];

describe('production dependencies', () => {
  for (const workspace of [{ dir: '.', name: 'the root', dependencies: Object.keys((read('package.json').dependencies ?? {}) as Record<string, string>) }, ...workspaces]) {
    it(`${workspace.name} needs no build or test tool at run time`, () => {
      expect(workspace.dependencies.filter((d) => buildTools.includes(d))).toEqual([]);
    });
  }

  it('the lockfile installs the build and test tools for development only', () => {
    const installed = read('package-lock.json').packages as Record<string, { dev?: boolean }>;
    const shipped = buildTools.filter((tool) => installed[`node_modules/${tool}`] !== undefined && installed[`node_modules/${tool}`]!.dev !== true);
    expect(shipped).toEqual([]);
  });
});
