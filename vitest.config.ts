import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // a browser step (a modal closing after the server answered) can take more than the default
    // second on a loaded 2-core machine; a poll that never succeeds still fails, after 10 s
    expect: { poll: { timeout: 10_000 } },
    env: { NODE_ENV: 'test' },
  },
});
