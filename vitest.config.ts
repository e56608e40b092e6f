import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so no build is needed first.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@crmsync\/core\/testing$/,
        replacement: src('./packages/core/src/testing/index.ts'),
      },
      {
        find: /^@crmsync\/core\/fake-api$/,
        replacement: src('./packages/core/src/testing/fake-api/index.ts'),
      },
      // The CLI's start-up path imports these slices of core alone (issue 28); from the same
      // sources as `@crmsync/core`, so its error classes are the same classes.
      {
        find: /^@crmsync\/core\/errors$/,
        replacement: src('./packages/core/src/contracts/errors.ts'),
      },
      { find: /^@crmsync\/core\/heap$/, replacement: src('./packages/core/src/engine/heap.ts') },
      {
        find: /^@crmsync\/core\/sync-flags$/,
        replacement: src('./packages/core/src/config/sync-flags.ts'),
      },
      { find: /^@crmsync\/core$/, replacement: src('./packages/core/src/index.ts') },
      {
        find: /^@crmsync\/(plugin-[a-z0-9]+)\/fake-server$/,
        replacement: src('./packages/$1/src/fake-server/index.ts'),
      },
      { find: /^@crmsync\/(plugin-[a-z0-9]+)$/, replacement: src('./packages/$1/src/index.ts') },
    ],
  },
  test: {
    include: [
      'test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
