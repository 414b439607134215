import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { h, ref } from 'vue'
import type { components } from '../../src/api/schema'
import ApiKeyCreatedDialog from '../../src/components/ApiKeyCreatedDialog.vue'
import ApiKeyFormDialog from '../../src/components/ApiKeyFormDialog.vue'
import RecoveryCodesDialog from '../../src/components/RecoveryCodesDialog.vue'
import { curlExample, expiryFromDate, isExpired, localDate } from '../../src/lib/apiKeys'
import { initSession } from '../../src/stores/session'
import { byLabel, json, mount, settle } from './dom'

// API keys: the expiry picked as a date, and the dialog that shows a new key once —
// in a read-only field, with Copy (and what to do when the browser will not copy),
// "You won't see this key again", and a curl command using it.

type APIKeyCreated = components['schemas']['APIKeyCreated']

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

afterEach(() => vi.unstubAllGlobals())

const button = (el: Element, name: string) => [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)!

describe('api key helpers', () => {
  it('makes a picked date last to the end of that day, in the browser zone', () => {
    const iso = expiryFromDate('2026-12-31')!
    const end = new Date(iso)
    expect(end.getTime()).toBe(new Date(2027, 0, 1).getTime())
    expect(expiryFromDate('')).toBeNull()
    expect(expiryFromDate('2026-02-30')).toBeNull()
    expect(localDate(new Date(2026, 10, 5, 23, 59))).toBe('2026-11-05')
    expect(isExpired(null)).toBe(false)
    expect(isExpired('2020-01-01T00:00:00Z')).toBe(true)
    expect(isExpired(new Date(Date.now() + 60_000).toISOString())).toBe(false)
    expect(curlExample('https://wd.example/api/v1/', 'wd_abc')).toBe(
      'curl -H "Authorization: Bearer wd_abc" https://wd.example/api/v1/targets',
    )
  })
})

const created: APIKeyCreated = {
  id: 4,
  name: 'deploy-script',
  role: 'viewer',
  prefix: 'wd_3kTq9ZbW',
  key: 'wd_3kTq9ZbWc1V2rS8Yx0dLmN4pQ7aHfE6gJ5uK2bT9wXz',
  expires_at: null,
  created_at: '2026-11-25T12:00:00Z',
}

describe('ApiKeyCreatedDialog', () => {
  it('shows the key once, read-only, with Copy, the warning and a curl command', async () => {
    const written: string[] = []
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: async (t: string) => void written.push(t) } })
    const shown = ref<APIKeyCreated | null>(created)
    const { el, unmount } = mount(() =>
      h(ApiKeyCreatedDialog, { created: shown.value, apiRoot: 'http://wd.test/api/v1', onClose: () => (shown.value = null) }),
    )
    await settle()
    const dialog = el.querySelector('dialog')!
    expect(dialog.open).toBe(true)
    expect(dialog.querySelector('h2')?.textContent).toBe('API key deploy-script created')
    const field = byLabel(el, 'API key')!
    expect(field.value).toBe(created.key)
    expect(field.readOnly).toBe(true)
    expect(el.textContent).toContain("You won't see this key again")
    expect(el.querySelector('pre')?.textContent).toBe(`curl -H "Authorization: Bearer ${created.key}" http://wd.test/api/v1/targets`)

    button(el, 'Copy').click()
    await settle()
    expect(written).toEqual([created.key])
    expect(button(el, 'Copied')).toBeTruthy()

    button(el, 'Done').click()
    await settle()
    expect(shown.value).toBeNull()
    expect(el.querySelector('dialog')!.open).toBe(false)
    expect(el.textContent).not.toContain(created.key) // gone from the page
    unmount()
  })

  it('selects the key and says how to copy it where the browser will not', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined })
    const { el, unmount } = mount(() => h(ApiKeyCreatedDialog, { created, apiRoot: '/api/v1' }))
    await settle()
    button(el, 'Copy').click()
    await settle()
    const status = el.querySelector('[role="status"]')
    expect(status?.textContent).toMatch(/would not copy it: the key is selected, press (Ctrl\+C|⌘C)/)
    const field = byLabel(el, 'API key')!
    expect(document.activeElement).toBe(field)
    unmount()
  })
})

describe('ApiKeyFormDialog', () => {
  it('offers roles up to the creator’s own, and sends the expiry as the end of the day', async () => {
    let sent: unknown
    vi.stubGlobal('fetch', async (_input: RequestInfo | URL, init?: RequestInit) => {
      sent = JSON.parse(String(init?.body))
      return json(created, 201)
    })
    const made: APIKeyCreated[] = []
    const { el, unmount } = mount(() =>
      h(ApiKeyFormDialog, { open: true, myRole: 'editor', onCreated: (k: APIKeyCreated) => made.push(k) }),
    )
    await settle()
    const role = byLabel(el, 'Role')!
    expect([...role.querySelectorAll('option')].map((o) => o.value)).toEqual(['editor', 'viewer'])
    expect(role.value).toBe('viewer')
    const name = byLabel(el, 'Name')!
    name.value = 'deploy-script'
    name.dispatchEvent(new Event('input'))
    const expires = byLabel(el, 'Expires (optional)')!
    expires.value = '2030-06-30'
    expires.dispatchEvent(new Event('input'))
    el.querySelector('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(sent).toEqual({ name: 'deploy-script', role: 'viewer', expires_at: new Date(2030, 6, 1).toISOString() })
    expect(made).toEqual([created])
    unmount()
  })
})

describe('RecoveryCodesDialog', () => {
  it('lists the ten codes once, with Copy and "I saved them"', async () => {
    const codes = ref<string[] | null>(Array.from({ length: 10 }, (_, i) => `abcd${i}-fghjk`))
    const { el, unmount } = mount(() => h(RecoveryCodesDialog, { codes: codes.value, onClose: () => (codes.value = null) }))
    await settle()
    expect([...el.querySelectorAll('ol li')].map((li) => li.textContent)).toHaveLength(10)
    expect(el.textContent).toContain("You won't see them again")
    expect(button(el, 'Copy')).toBeTruthy()
    button(el, 'I saved them').click()
    await settle()
    expect(codes.value).toBeNull()
    expect(el.querySelectorAll('ol li')).toHaveLength(0)
    unmount()
  })
})
