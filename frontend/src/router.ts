import { createRouter, createWebHistory, type Router } from 'vue-router'
import AppShell from './components/AppShell.vue'
import DashboardView from './views/DashboardView.vue'
import LoginView from './views/LoginView.vue'
import { isRole, roleAtLeast } from './lib/access'
import { loadMe, refreshMeIfStale } from './stores/me'
import { useSession } from './stores/session'

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes: [
      { path: '/login', name: 'login', component: LoginView, meta: { title: 'Log in' } },
      {
        // Public: no login, no app shell; anyone with the link may look.
        path: '/status/:slug',
        name: 'public-status',
        component: () => import('./views/PublicStatusView.vue'),
        meta: { title: 'Status' },
      },
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
          {
            path: 'status-pages',
            name: 'status-pages',
            component: () => import('./views/StatusPagesView.vue'),
            meta: { title: 'Status pages' },
          },
          {
            path: 'api-keys',
            name: 'api-keys',
            component: () => import('./views/ApiKeysView.vue'),
            meta: { title: 'API keys' },
          },
          {
            path: 'account',
            name: 'account',
            component: () => import('./views/AccountView.vue'),
            meta: { title: 'Your account' },
          },
          {
            path: 'users',
            name: 'users',
            component: () => import('./views/UsersView.vue'),
            meta: { title: 'Users', role: 'admin' },
          },
          {
            path: 'audit',
            name: 'audit',
            component: () => import('./views/AuditView.vue'),
            meta: { title: 'Audit log', role: 'admin' },
          },
        ],
      },
      { path: '/:rest(.*)*', redirect: { name: 'dashboard' } },
    ],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })

  router.beforeEach(async (to) => {
    const { loggedIn } = useSession()
    const toLogin = () => ({ name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } })
    if (to.matched.some((r) => r.meta.requiresAuth)) {
      if (!loggedIn.value) return toLogin()
      // Who is logged in decides what the pages offer: known before the first one shows.
      const me = await loadMe()
      if (!loggedIn.value) return toLogin() // the session turned out to be over
      refreshMeIfStale()
      const least = to.matched.map((r) => r.meta.role).find(isRole)
      // Unknown (the API unreachable): let the page ask; the API answers 403 if need be.
      if (least && me && !roleAtLeast(me.role, least)) return { name: 'dashboard' }
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
