import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Unit tests: helpers, composables and the API client (against a real local HTTP
// server, not a mocked fetch). Browser tests live in vitest.e2e.config.ts.
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'happy-dom',
    testTimeout: 10_000,
  },
})
