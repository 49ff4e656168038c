import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { capacityPlan, readCapacityInputs } from './capacity.ts';
import { performanceSection } from './performance.ts';
import { readSection } from './readme-sections.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('figures generated from the latest bench results (npm run bench:publish rewrites them)', () => {
  it("the README's Performance section is the one generated from bench/README.md", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const bench = readFileSync(join(root, 'bench/README.md'), 'utf8');
    expect(`## Performance\n${readSection(readme, 'Performance')}`.trimEnd()).toBe(performanceSection(bench).trimEnd());
  });

  it('docs/capacity.md is the plan worked out from bench/results', () => {
    expect(readFileSync(join(root, 'docs/capacity.md'), 'utf8')).toBe(capacityPlan(readCapacityInputs(root)));
  });
});
