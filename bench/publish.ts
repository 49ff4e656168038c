/** `npm run bench:publish`: rewrites the README's Performance section and docs/capacity.md from the latest bench figures. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishFigures } from './performance.ts';

publishFigures(join(dirname(fileURLToPath(import.meta.url)), '..'));
