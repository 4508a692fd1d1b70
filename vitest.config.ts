import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite would resolve `graphql` through its "module" field (index.mjs) while Node, and so Yoga and
    // graphql-ws, load index.js: two GraphQLError classes, and expected errors would look unexpected.
    // Point both at the file Node loads, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: [
      'api/**/*.test.ts',
      'jobs/**/*.test.ts',
      'lti-tool/**/*.test.ts',
      'web/src/**/*.test.ts',
      'web/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
  },
});
