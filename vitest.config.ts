import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const shared = ['**/node_modules/**', '.shadowdiff/**'];

/**
 * Tests run from the sources: each workspace package resolves to the file its package.json
 * exports under the `@shadowdiff/source` condition (its src/), not to its compiled dist/. An alias
 * rather than a resolve condition, because vitest loads global set-up files without the
 * configured conditions.
 */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(group)) {
      const dir = join(group, name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | Record<string, string>> };
      const main = pkg.exports['.'];
      const source = typeof main === 'string' ? main : main!['@shadowdiff/source']!;
      aliases.push({ find: new RegExp(`^${pkg.name.replace('/', '\\/')}$`), replacement: resolve(dir, source) });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'bench/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: [...shared, '**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'services/*/src/**/*.int.test.ts'],
          exclude: shared,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          exclude: shared,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
