import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.shadowdiff/**', 'test-output/**', 'bench/results/**', '**/dist/**', 'packages/dashboard/web/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['packages/dashboard/web/**'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', fetch: 'readonly',
        sessionStorage: 'readonly', addEventListener: 'readonly', removeEventListener: 'readonly',
        dispatchEvent: 'readonly', PopStateEvent: 'readonly', HTMLInputElement: 'readonly',
        HTMLTextAreaElement: 'readonly', HTMLDialogElement: 'readonly', URLSearchParams: 'readonly', URL: 'readonly', setTimeout: 'readonly',
      },
    },
  },
  {
    files: ['bench/**', 'scripts/**', '**/*.test.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
