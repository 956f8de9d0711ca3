import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // The seed's examples import `$lib/server/socket…` as the seed writes them (test/seed-examples).
  resolve: {
    alias: [
      { find: /^\$lib\/server\/socket$/, replacement: here('./src/main/socket/index.ts') },
      { find: /^\$lib\/server\/socket\//, replacement: here('./src/main/socket/') },
      { find: /^\$lib\/server\/database$/, replacement: here('./test/seed-examples/lib/database.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Real sockets and real SQLite files: give slow CI machines room, but every
    // test bounds its own loops so nothing hangs forever.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
