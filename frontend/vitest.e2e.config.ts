import { defineConfig } from 'vitest/config'

// Browser tests: the built dashboard served by the real backend, driven through
// playwright-core with Debian's Chromium. One file at a time, in one worker: the
// scenarios share one backend and one browser.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/globalSetup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    retry: 0,
  },
})
