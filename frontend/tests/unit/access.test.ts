import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Component, defineComponent, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Channel, Target, User } from '../../src/api/types'
import AppMenu from '../../src/components/AppMenu.vue'
import ChannelTable from '../../src/components/ChannelTable.vue'
import EmptyState from '../../src/components/EmptyState.vue'
import TargetActions from '../../src/components/TargetActions.vue'
import TopBar from '../../src/components/TopBar.vue'
import { ROLES, roleAtLeast, rolesUpTo } from '../../src/lib/access'
import { createAppRouter } from '../../src/router'
import { loadMe, setMe, useMe } from '../../src/stores/me'
import { initSession, useSession } from '../../src/stores/session'
import { json, mount as mountIn } from './dom'

// Roles in the dashboard: viewers see no button that changes anything, only admins
// see Users and the audit log (and the router keeps others out of them); who is
// logged in comes from GET /auth/me once per login and is forgotten at logout.

const user = (role: User['role'], id = 1, username = role === 'admin' ? 'admin' : 'vera'): User => ({
  id,
  username,
  role,
  totp_enabled: false,
  created_at: '2026-11-01T00:00:00Z',
})

let meAnswer: User = user('viewer')
let asked: string[] = []

function login() {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
}

beforeAll(login)

beforeEach(() => {
  asked = []
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    asked.push(`${init?.method ?? 'GET'} ${url.pathname}`)
    if (url.pathname === '/api/v1/auth/me') return json(meAnswer)
    if (url.pathname === '/api/v1/auth/logout') return new Response(null, { status: 204 })
    return json({ type: 'urn:watchdog:problem:not-found', title: 'Not found', status: 404 }, 404)
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
  setMe(null)
})

const stubRoutes = ['dashboard', 'target', 'incidents', 'channels', 'budgets', 'status-pages', 'api-keys', 'account', 'users', 'audit', 'login']

async function mount(component: Component, props: Record<string, unknown> = {}) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: stubRoutes.map((name) => ({
      path: name === 'dashboard' ? '/' : name === 'target' ? '/targets/:id' : `/${name}`,
      name,
      component: defineComponent({ render: () => null }),
    })),
  })
  await router.push('/')
  const mounted = mountIn(() => h(component, props), { router })
  await nextTick()
  return mounted
}

const buttons = (el: Element) => [...el.querySelectorAll('button')].map((b) => b.getAttribute('aria-label') ?? b.textContent?.trim())

const target = {
  id: 3,
  name: 'shop-api',
  url: 'https://shop.example/',
  is_active: true,
} as Target

const channel = { id: 1, name: 'ops-webhook', type: 'webhook', config: {}, is_default: false, created_at: '', updated_at: '' } as unknown as Channel

describe('roles', () => {
  it('orders admin > editor > viewer, and offers a key no more than its maker', () => {
    expect(roleAtLeast('admin', 'editor')).toBe(true)
    expect(roleAtLeast('editor', 'editor')).toBe(true)
    expect(roleAtLeast('viewer', 'editor')).toBe(false)
    expect(roleAtLeast(null, 'viewer')).toBe(false)
    expect(rolesUpTo('admin')).toEqual(ROLES)
    expect(rolesUpTo('editor')).toEqual(['editor', 'viewer'])
    expect(rolesUpTo('viewer')).toEqual(['viewer'])
    expect(rolesUpTo(null)).toEqual([])
  })
})

describe('the current user', () => {
  it('is read once from /auth/me, says what the role may do, and is forgotten at logout', async () => {
    const me = useMe()
    expect(me.canEdit.value).toBe(false)
    meAnswer = user('editor')
    await Promise.all([loadMe(), loadMe()])
    await loadMe()
    expect(asked.filter((a) => a === 'GET /api/v1/auth/me')).toHaveLength(1)
    expect(me.role.value).toBe('editor')
    expect(me.canEdit.value).toBe(true)
    expect(me.isAdmin.value).toBe(false)

    meAnswer = user('admin')
    await me.reload()
    expect(me.isAdmin.value).toBe(true)

    await useSession().logout()
    await nextTick()
    expect(me.user.value).toBeNull()
    expect(me.canEdit.value).toBe(false)
    login()
  })
})

describe('role gating', () => {
  it('gives viewers no target buttons, and editors all four', async () => {
    setMe(user('viewer'))
    const viewer = await mount(TargetActions, { target })
    expect(viewer.el.querySelectorAll('button')).toHaveLength(0)
    viewer.unmount()

    setMe(user('editor'))
    const editor = await mount(TargetActions, { target })
    expect(buttons(editor.el)).toEqual(['Pause', 'Check now', 'Edit', 'Delete'])
    editor.unmount()
  })

  it('shows "Add target" in the top bar only to editors and admins', async () => {
    setMe(user('viewer'))
    const viewer = await mount(TopBar)
    expect(buttons(viewer.el)).not.toContain('Add target')
    viewer.unmount()

    setMe(user('admin'))
    const admin = await mount(TopBar)
    expect(buttons(admin.el)).toContain('Add target')
    admin.unmount()
  })

  it('offers "Add your first target" and the curl command only to those who may add', async () => {
    setMe(user('viewer'))
    const viewer = await mount(EmptyState)
    expect(viewer.el.textContent).not.toContain('Add your first target')
    expect(viewer.el.querySelector('pre')).toBeNull()
    expect(viewer.el.textContent).toContain('Editors and admins add targets')
    viewer.unmount()

    setMe(user('editor', 2, 'ed'))
    const editor = await mount(EmptyState)
    expect(buttons(editor.el)).toContain('Add your first target')
    expect(editor.el.querySelector('pre')?.textContent).toContain('"username":"ed"')
    editor.unmount()
  })

  it('shows channel Test, Edit and Delete only with canEdit', async () => {
    const viewer = await mount(ChannelTable, { channels: [channel], pending: new Map() })
    expect(viewer.el.querySelectorAll('button')).toHaveLength(0)
    expect(viewer.el.querySelectorAll('th')).toHaveLength(3)
    viewer.unmount()
    const editor = await mount(ChannelTable, { channels: [channel], pending: new Map(), canEdit: true })
    expect(buttons(editor.el)).toEqual(['Test', 'Edit', 'Delete'])
    editor.unmount()
  })

  it('lists Users and Audit log in the menu for admins only', async () => {
    const links = (el: Element) => [...el.querySelectorAll('nav a')].map((a) => a.textContent?.trim())
    setMe(user('viewer'))
    const viewer = await mount(AppMenu)
    expect(links(viewer.el)).toEqual([
      'Incidents',
      'Notification channels',
      'Free-hour budgets',
      'Status pages',
      'API keys',
      'Your account',
    ])
    expect(viewer.el.textContent).toContain('Logged in as vera (viewer)')
    viewer.unmount()

    setMe(user('admin'))
    const admin = await mount(AppMenu)
    expect(links(admin.el).slice(-2)).toEqual(['Users', 'Audit log'])
    admin.unmount()
  })
})

describe('the router', () => {
  it('sends a non-admin from Users and the audit log to the dashboard, and lets an admin in', async () => {
    meAnswer = user('editor')
    const router = createAppRouter()
    await router.push('/users')
    expect(router.currentRoute.value.name).toBe('dashboard')
    await router.push('/audit?page=2')
    expect(router.currentRoute.value.name).toBe('dashboard')
    await router.push('/api-keys')
    expect(router.currentRoute.value.name).toBe('api-keys')

    setMe(user('admin'))
    await router.push('/audit')
    expect(router.currentRoute.value.name).toBe('audit')
    await router.push('/users')
    expect(router.currentRoute.value.name).toBe('users')
  })
})
