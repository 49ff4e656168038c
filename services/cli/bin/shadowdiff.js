#!/usr/bin/env node
// The shadowdiff command, compiled: `npm run build` (which `npm start` runs) writes dist/.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('shadowdiff: not built yet. Run `npm run build` in the checkout (`npm start` does it), or `npm run shadowdiff -- …` to run from the sources.\n');
  process.exit(1);
}
await import(main.href);
