import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Target } from '../../src/api/types'
import TargetFormDialog from '../../src/components/TargetFormDialog.vue'
import { closeTargetForm, openAddTarget, openEditTarget } from '../../src/stores/dialogs'
import { initSession } from '../../src/stores/session'
import { CHECK_TYPE_DEFAULTS } from './fixtures'
import { byLabel, json, mount as mountIn, set, settle } from './dom'

// The target dialog's Impersonate choice with the API answering through a stubbed
// fetch: offered for http only, sent when chosen, reset with a type change, and the
// API's `impersonate` error shown under it with Advanced opened.

interface Sent {
  method: string
  path: string
  body: unknown
}

let sent: Sent[] = []
let answer: (s: Sent) => Response

const target: Target = {
  id: 7,
  name: 'walled-shop',
  url: 'https://shop.example.com/',
  method: 'GET',
  headers: {},
  secret_headers: [],
  interval_seconds: 300,
  timeout_seconds: 10,
  expected_status: '200-399',
  is_active: true,
  tags: [],
  retries: 3,
  retry_delay_seconds: 15,
  failure_threshold: 3,
  success_threshold: 2,
  channel_ids: [],
  conditions: [],
  keep_warm: false,
  platform: '',
  idle_timeout_seconds: null,
  wake_timeout_seconds: 90,
  warm_windows: [],
  timezone: 'UTC',
  ...CHECK_TYPE_DEFAULTS,
  impersonate: 'chrome',
  budget_group: '',
  warnings: [],
  last_status: 'up',
  last_checked_at: null,
  last_latency_ms: null,
  last_status_code: null,
  last_error: '',
  next_check_at: null,
  created_at: '2026-11-25T00:00:00Z',
  updated_at: '2026-11-25T00:00:00Z',
}

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

beforeEach(() => {
  sent = []
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const s = { method: init?.method ?? 'GET', path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined }
    // The lists the form loads when it opens are empty.
    if (s.method === 'GET') return json({ items: [], total: 0 })
    sent.push(s)
    return answer(s)
  })
})

afterEach(() => {
  closeTargetForm()
  vi.unstubAllGlobals()
})

async function mount() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: ['/', '/channels'].map((path) => ({ path, name: path === '/' ? 'dashboard' : 'channels', component: defineComponent({ render: () => null }) })),
  })
  await router.push('/')
  return mountIn(() => h(TargetFormDialog), { router })
}

// Null when the form does not offer it.
const control = byLabel

async function pickType(el: Element, type: string) {
  const radio = el.querySelector<HTMLInputElement>(`input[type="radio"][value="${type}"]`)!
  radio.checked = true
  radio.dispatchEvent(new Event('change'))
  await settle()
}

describe('TargetFormDialog: Impersonate', () => {
  it('is offered for http only, None first, and a type change turns it off', async () => {
    const { el, unmount } = await mount()
    openAddTarget()
    await settle()
    const choice = control(el, 'Impersonate') as HTMLSelectElement
    expect(choice.value).toBe('')
    expect([...choice.options].map((o) => o.textContent?.trim())).toEqual(['None', 'Chrome', 'Firefox', 'Safari'])
    set(choice, 'firefox')
    await pickType(el, 'tcp')
    expect(control(el, 'Impersonate')).toBeNull()
    await pickType(el, 'http')
    expect((control(el, 'Impersonate') as HTMLSelectElement).value).toBe('')
    unmount()
  })

  it("sends the chosen browser, and shows the API's impersonate error under it with Advanced open", async () => {
    answer = () =>
      json(
        {
          type: 'urn:watchdog:problem:validation',
          title: 'Invalid request',
          status: 422,
          errors: [{ field: 'impersonate', message: 'must be one of "" (no browser), chrome, firefox or safari' }],
        },
        422,
      )
    const { el, unmount } = await mount()
    openAddTarget()
    await settle()
    set(control(el, 'URL')!, 'https://shop.example.com/')
    set(control(el, 'Impersonate')!, 'safari')
    el.querySelector('form')!.dispatchEvent(new Event('submit'))
    await settle()

    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/api/v1/targets', body: { url: 'https://shop.example.com/', impersonate: 'safari' } })
    const choice = control(el, 'Impersonate')!
    expect(choice.getAttribute('aria-invalid')).toBe('true')
    const texts = (choice.getAttribute('aria-describedby') ?? '').split(' ').map((id) => el.querySelector(`#${CSS.escape(id)}`)?.textContent?.trim())
    expect(texts).toContain('Impersonate must be one of "" (no browser), chrome, firefox or safari')
    expect(el.querySelector<HTMLDetailsElement>('details.advanced')!.open).toBe(true)
    unmount()
  })

  it('edits: shows the stored browser and patches only a change', async () => {
    answer = (s) => json({ ...target, ...(s.body as object) })
    const { el, unmount } = await mount()
    openEditTarget(target)
    await settle()
    expect((control(el, 'Impersonate') as HTMLSelectElement).value).toBe('chrome')
    set(control(el, 'Impersonate')!, '')
    el.querySelector('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(sent).toEqual([{ method: 'PATCH', path: '/api/v1/targets/7', body: { impersonate: '' } }])
    unmount()
  })
})
