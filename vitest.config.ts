import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vitest would load graphql's ESM build while Pothos and Yoga load the
    // CommonJS one, and graphql refuses types from "another realm": use one build.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/build.ts', 'test/support/vendor-tls.ts'],
    // The vendors' host names lead to their stand-ins in every worker (test/support/vendor-routes.cjs).
    execArgv: ['--require', require.resolve('./test/support/vendor-routes.cjs')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
