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

/** What every file of the Node core may not import (the same rule the `src/main/**` block states). */
const NOT_IN_CORE = ['electron', 'electron/*', '**/preload/**', '**/renderer/**', 'react', 'react-dom'];
const NOT_IN_CORE_WHY = 'The core runs under plain Node: only src/main/electron may import electron.';
/**
 * Folders of src/main as a relative import names them (`../store`, `../../jobs/x`, `../../main/core`), and
 * not src/shared's files of the same name (`../../shared/jobs`).
 * @param {string[]} names
 */
const dirs = (names) => `^(\\.\\./)+(main/)?(${names.join('|')})(/|$)`;

/**
 * Inside the Node core, folders import only downwards:
 *
 *   observability → socket → store → jobs → core
 *
 *   observability  logger, log sink, live progress tracker: used by everyone, needs no one
 *   socket         transport: server, connections, router, the seed's socket API; owns the contracts
 *                  (socket/types) the layers above implement
 *   store          SQLite; implements the socket layer's DatabaseOperations contract, so it may import
 *                  socket/types (types only, never the socket runtime)
 *   jobs           the job lifecycle over the store, answering crawler messages the socket routes
 *   core           wires everything into the console (commands, events, metrics)
 *
 * A lower folder never imports a higher one (no cycles, each testable alone). Each block repeats
 * the core-wide electron rule because a later no-restricted-imports replaces an earlier one.
 * @param {string[]} above  the folders this one may not import
 * @param {string} why
 * @param {{ regex: string, message: string }[]} [extra]
 */
const layer = (above, why, extra = []) => ({
  'no-restricted-imports': ['error', {
    patterns: [
      { group: NOT_IN_CORE, message: NOT_IN_CORE_WHY },
      { regex: dirs(above), message: why },
      ...extra,
    ],
  }],
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
    files: ['src/main/observability/**'],
    rules: layer(['socket', 'store', 'jobs', 'core'],
      'src/main/observability is the bottom of the core: it imports only src/shared and Node.'),
  },
  {
    files: ['src/main/socket/**'],
    rules: layer(['store', 'jobs', 'core'],
      'src/main/socket is transport: it may import observability, never store, jobs or core (they plug in through socket/types).'),
  },
  {
    files: ['src/main/store/**'],
    rules: layer(['jobs', 'core'], 'src/main/store may import observability and socket/types, never jobs or core.', [
      {
        regex: '^(\\.\\./)+(main/)?socket(/(?!types(/|$)).*)?$',
        message: 'src/main/store implements the socket layer\'s contracts: it may import socket/types, never the socket runtime.',
      },
    ]),
  },
  {
    files: ['src/main/jobs/**'],
    rules: layer(['core'], 'src/main/jobs may import observability, socket and store, never core (core wires jobs in).'),
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
