// Runs shadowdiff from its TypeScript sources (development and tests): workspace packages
// resolve to src/, and tsx compiles .ts on load. Imported first by the development binary and by
// worker threads started from the sources; the compiled build never loads it (nor tsx).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./source-hooks.mjs', import.meta.url);
registerTsx();
