import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The dashboard is plain static files. In development Vite proxies the API to a
// WatchDog server on :8080 (override with WATCHDOG_API); built, it talks to the same
// origin unless /config.json names another apiBase (read at start, see src/config.ts).
const api = process.env.WATCHDOG_API ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [vue()],
  // Absolute: deep links such as /targets/7 must load /assets/…, not /targets/assets/….
  base: '/',
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/docs': { target: api, changeOrigin: true },
      '/openapi.json': { target: api, changeOrigin: true },
    },
  },
  build: {
    target: 'es2022',
    // The CSP forbids inline scripts and styles: never inline assets as data: URLs
    // into scripts, and keep CSS in files.
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
})
