/** `npm run bench:publish`: rewrites the README's Performance section from bench/README.md. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syncReadmePerformance } from './performance.ts';

syncReadmePerformance(join(dirname(fileURLToPath(import.meta.url)), '..'));
