#!/usr/bin/env node
// The shadowdiff command. Sources are TypeScript, loaded through tsx's ESM hooks.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
