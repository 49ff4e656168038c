#!/usr/bin/env node
// The shadowdiff command from its TypeScript sources, for development and tests: no build step,
// workspace packages resolve to src/ and tsx compiles them on load.
import '@shadowdiff/core/source-mode';

await import('../src/main.ts');
