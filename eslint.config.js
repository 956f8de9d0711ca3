// @ts-check
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The layering rule, enforced: each layer imports only from the layers before it.
 *   1 src/shared    pure TypeScript (zod only)
 *   2 src/main/*    Node core: no electron
 *   3 src/main/electron, src/main/headless  the front doors
 *   4 src/preload   contextBridge only
 *   5 src/renderer  React; the typed API only
 * @param {string[]} patterns
 * @param {string} message
 */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bin/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // The seed's API examples, as the seed writes them: type imports without `type`, its `as any`, its unused names.
    files: ['test/seed-examples/examples/**'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['src/shared/**'],
    rules: forbid(['node:*', 'electron', 'react', 'react-dom', '**/main/**', '**/preload/**', '**/renderer/**', 'better-sqlite3', 'pino'],
      'src/shared is pure TypeScript shared by every layer: no Node, Electron, React or other layers.'),
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/electron/**', 'src/main/index.ts'],
    rules: forbid(['electron', 'electron/*', '**/preload/**', '**/renderer/**', 'react', 'react-dom'],
      'The core runs under plain Node: only src/main/electron may import electron.'),
  },
  {
    files: ['src/client/**'],
    rules: forbid(['electron', 'electron/*', '**/main/**', '**/preload/**', '**/renderer/**', 'react', 'better-sqlite3'],
      'The crawler client is a library for crawlers: it depends only on the shared protocol and Node.'),
  },
  {
    files: ['src/simulator/**'],
    rules: forbid(['electron', 'electron/*', '**/main/**', '**/preload/**', '**/renderer/**', 'react', 'better-sqlite3'],
      'The simulator is a crawler like any other: it depends only on the shared protocol, the client library and Node.'),
  },
  {
    files: ['src/preload/**'],
    rules: forbid(['**/main/**', '**/renderer/**', 'node:*', 'react'],
      'The preload exposes the shared contract through contextBridge only.'),
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...forbid(['node:*', 'electron', '**/main/**', '**/preload/**', 'better-sqlite3', 'pino'],
        'The renderer talks only to the typed console API (src/shared/contract).'),
    },
  },
);
