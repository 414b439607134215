import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { RouterView, createMemoryHistory, createRouter } from 'vue-router'
import LoginView from '../../src/views/LoginView.vue'
import { initSession, useSession } from '../../src/stores/session'
import { byLabel, json, mount, set, settle } from './dom'

// Logging in with two-factor login: the API says a code is needed (otp-required), a
// "Two-factor code" field appears, and the login is sent again with it; a wrong code
// (invalid-otp) is said under the field.

const problem = (slug: string, detail: string) =>
  json({ type: `urn:watchdog:problem:${slug}`, title: 'Unauthorized', status: 401, detail }, 401)

beforeAll(() => {
  localStorage.clear()
  initSession({ apiBase: 'http://api.test' }, () => {})
})

afterEach(() => vi.unstubAllGlobals())

describe('LoginView', () => {
  it('asks for the two-factor code when the API wants one, and sends it', async () => {
    const bodies: Record<string, string>[] = []
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      if (url.pathname !== '/api/v1/auth/login') return new Response(null, { status: 404 })
      const body = JSON.parse(String(init?.body)) as Record<string, string>
      bodies.push(body)
      if (!body.otp) return problem('otp-required', 'a two-factor code is required')
      if (body.otp !== '123456') return problem('invalid-otp', 'wrong or already used two-factor code')
      const pair = { access_token: 'a2', refresh_token: 'r2', token_type: 'Bearer', expires_in: 900 }
      return json(pair)
    })

    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/login', name: 'login', component: LoginView },
        { path: '/', name: 'dashboard', component: defineComponent({ render: () => null }) },
      ],
    })
    await router.push('/login')
    const { el, unmount } = mount(() => h(RouterView), { router })
    await settle()

    const form = el.querySelector('form')!
    expect(byLabel(el, 'Two-factor code')).toBeNull()
    set(byLabel(el, 'Username')!, 'admin')
    set(byLabel(el, 'Password')!, 'pw')
    form.dispatchEvent(new Event('submit'))
    await settle()

    // The code field, for phones' number pad and the OS's one-time-code autofill.
    const code = byLabel(el, 'Two-factor code')!
    expect(code).not.toBeNull()
    expect(code.getAttribute('autocomplete')).toBe('one-time-code')
    expect(code.getAttribute('inputmode')).toBe('numeric')
    expect(document.activeElement).toBe(code)
    expect(el.textContent).toContain('Lost your phone? Use a recovery code')
    expect(el.querySelector('[role="alert"]')).toBeNull()
    expect(bodies).toEqual([{ username: 'admin', password: 'pw' }])

    // A wrong code: said under the field, which points at it.
    set(code, '000000')
    form.dispatchEvent(new Event('submit'))
    await settle()
    expect(code.getAttribute('aria-invalid')).toBe('true')
    const errorId = code.getAttribute('aria-describedby')!.split(' ')[0]!
    expect(el.querySelector(`#${CSS.escape(errorId)}`)?.textContent).toMatch(/^Two-factor code is not right/)
    expect(useSession().loggedIn.value).toBe(false)

    // Spaces as people copy them are dropped; then the user is in.
    set(code, '123 456')
    form.dispatchEvent(new Event('submit'))
    await settle()
    expect(bodies.at(-1)).toEqual({ username: 'admin', password: 'pw', otp: '123456' })
    expect(useSession().loggedIn.value).toBe(true)
    expect(router.currentRoute.value.name).toBe('dashboard')
    unmount()
  })

  it('takes a recovery code instead, with letters', async () => {
    vi.stubGlobal('fetch', async () => problem('otp-required', 'a two-factor code is required'))
    await useSession().logout()
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/login', name: 'login', component: LoginView }],
    })
    await router.push('/login')
    const { el, unmount } = mount(() => h(RouterView), { router })
    await settle()
    set(byLabel(el, 'Username')!, 'admin')
    set(byLabel(el, 'Password')!, 'pw')
    el.querySelector('form')!.dispatchEvent(new Event('submit'))
    await settle()
    const toggle = [...el.querySelectorAll('button')].find((b) => b.textContent?.includes('recovery code'))!
    toggle.click()
    await settle()
    const recovery = byLabel(el, 'Recovery code')!
    expect(recovery.getAttribute('inputmode')).toBe('text')
    expect(el.textContent).toContain('abcde-fghjk')
    unmount()
  })
})
