/**
 * `npm run bench:publish`: rewrites the sections of bench/README.md worded from a bench's JSON, then
 * the README's Performance section and docs/capacity.md from the latest bench figures. Runs no bench.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSection, type BuildResults } from './build/section.ts';
import { publishFigures } from './performance.ts';
import { writeSection } from './readme-sections.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = JSON.parse(readFileSync(join(root, 'bench/results/build.json'), 'utf8')) as BuildResults;
writeSection(join(root, 'bench/README.md'), 'Compiled build', buildSection(build));
publishFigures(root);
