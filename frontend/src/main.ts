import { createApp } from 'vue'
import App from './App.vue'
import { loadConfig } from './config'
import { createAppRouter } from './router'
import { initSession } from './stores/session'
import { resetStats } from './stores/stats'
import { initTheme } from './stores/theme'
import './styles/theme.css'
import './styles/base.css'

// The theme first, so the page does not flash the other one while config.json loads.
initTheme()

async function start() {
  const config = await loadConfig()
  // Assigned right below; the handler only runs once the app is up.
  let router: ReturnType<typeof createAppRouter>
  initSession(config, () => {
    resetStats()
    const current = router.currentRoute.value
    if (current.name !== 'login') {
      void router.replace({ name: 'login', query: current.fullPath === '/' ? {} : { next: current.fullPath } })
    }
  })
  router = createAppRouter()
  const app = createApp(App)
  app.use(router)
  await router.isReady()
  app.mount('#app')
}

void start()
