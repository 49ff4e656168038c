import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { performanceSection } from './performance.ts';
import { readSection } from './readme-sections.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe("the README's Performance section", () => {
  it('is the one generated from the latest figures in bench/README.md (npm run bench:publish rewrites it)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const bench = readFileSync(join(root, 'bench/README.md'), 'utf8');
    expect(`## Performance\n${readSection(readme, 'Performance')}`.trimEnd()).toBe(performanceSection(bench).trimEnd());
  });
});
