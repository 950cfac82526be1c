import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources through the `source` export condition.
export default defineConfig({
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    include: [
      '{packages,services,proto}/*/src/**/*.spec.ts',
      'clients/console/src/**/*.spec.ts',
      'proto/src/**/*.spec.ts',
      'scripts/**/*.spec.ts',
      'test/**/*.spec.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    globalSetup: ['./packages/testkit/src/vitest-global-setup.ts'],
  },
})
