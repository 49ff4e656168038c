import { defineConfig } from 'vite';

// The dashboard is a static single-page app: built once, served by the API, no network at runtime.
export default defineConfig({
  root: 'web',
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
