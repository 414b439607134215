import { createRouter, createWebHistory, type Router } from 'vue-router'
import AppShell from './components/AppShell.vue'
import DashboardView from './views/DashboardView.vue'
import LoginView from './views/LoginView.vue'
import { useSession } from './stores/session'

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes: [
      { path: '/login', name: 'login', component: LoginView, meta: { title: 'Log in' } },
      {
        path: '/',
        component: AppShell,
        meta: { requiresAuth: true },
        children: [
          { path: '', name: 'dashboard', component: DashboardView, meta: { title: 'Dashboard' } },
          {
            path: 'targets/:id(\\d+)',
            name: 'target',
            // Its own chunk, with uPlot: the first screen does not need either.
            component: () => import('./views/TargetDetailView.vue'),
            meta: { title: 'Target' },
          },
          {
            path: 'channels',
            name: 'channels',
            component: () => import('./views/ChannelsView.vue'),
            meta: { title: 'Notification channels' },
          },
          {
            path: 'incidents',
            name: 'incidents',
            component: () => import('./views/IncidentsView.vue'),
            meta: { title: 'Incidents' },
          },
          {
            path: 'budgets',
            name: 'budgets',
            component: () => import('./views/BudgetsView.vue'),
            meta: { title: 'Free-hour budgets' },
          },
        ],
      },
      { path: '/:rest(.*)*', redirect: { name: 'dashboard' } },
    ],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })

  router.beforeEach((to) => {
    const { loggedIn } = useSession()
    if (to.matched.some((r) => r.meta.requiresAuth) && !loggedIn.value) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
    }
    if (to.name === 'login' && loggedIn.value) return { name: 'dashboard' }
    return true
  })
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : ''
    document.title = title ? `${title} · WatchDog` : 'WatchDog'
  })
  return router
}
