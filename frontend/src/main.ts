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
  // Made before the session, whose end handler sends the page to the login screen.
  const router = createAppRouter()
  initSession(config, () => {
    resetStats()
    const current = router.currentRoute.value
    if (current.name !== 'login') {
      void router.replace({ name: 'login', query: current.fullPath === '/' ? {} : { next: current.fullPath } })
    }
  })
  const app = createApp(App)
  app.use(router)
  await router.isReady()
  app.mount('#app')
}

void start()
