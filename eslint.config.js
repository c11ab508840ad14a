// Lint rules, and the import boundaries of DESIGN.md "Layout": who may import what.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electronOnly = { name: 'electron', message: 'Only electron/shell/ and electron/main.ts (and the preload) may import electron: services must run under plain Node.' };

const restrict = (paths, patterns) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', '.e2e-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-imports': restrict([electronOnly], []),
    },
  },
  {
    files: ['contract/**'],
    rules: {
      'no-restricted-imports': restrict(
        [electronOnly, ...nodeBuiltins.map((name) => ({ name, message: 'contract/ is shared with the renderer: no Node modules.' })), { name: 'react', message: 'contract/ holds no UI.' }],
        [{ group: ['**/electron/**', '**/renderer/**'], message: 'contract/ depends on nothing else in the project.' }],
      ),
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict(
        [electronOnly, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a sandboxed page: no Node modules.' })), { name: 'better-sqlite3', message: 'The renderer reaches data only through the contract.' }],
        [{ group: ['**/electron/**', '**/e2e/**', '**/bench/**', '**/scripts/**'], message: 'The renderer imports only contract/ and itself.' }],
      ),
    },
  },
  {
    files: ['electron/services/**'],
    rules: {
      'no-restricted-imports': restrict([electronOnly], [{ group: ['**/host/**', '**/shell/**', '**/renderer/**', '**/handlers/**'], message: 'Services depend only on contract/ and other services.' }]),
    },
  },
  {
    files: ['electron/host/**'],
    rules: {
      'no-restricted-imports': restrict([electronOnly], [{ group: ['**/shell/**', '**/renderer/**'], message: 'The web host is plain Node: no shell, no renderer code.' }]),
    },
  },
  {
    files: ['electron/shell/**', 'electron/main.ts', 'electron/preload.ts', 'e2e/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
