import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import type { Channel } from '../../src/api/types'
import ChannelFormDialog from '../../src/components/ChannelFormDialog.vue'
import { closeChannelForm, openAddChannel, openEditChannel } from '../../src/stores/dialogs'
import { initSession } from '../../src/stores/session'
import { control, described, json, mount as mountIn, set, settle } from './dom'

// The channel dialog with the API answering through a stubbed fetch: what a new type's
// form sends (numbers as numbers, a secret only when typed), and the API's config.<key>
// errors shown under the input of that key, named by its label.

interface Sent {
  method: string
  path: string
  body: unknown
}

let sent: Sent[] = []
let answer: () => Response

const invalid = (errors: { field: string; message: string }[]) =>
  json({ type: 'urn:watchdog:problem:validation', title: 'Invalid request', status: 422, errors }, 422)

function channel(type: Channel['type'], config: Record<string, unknown>): Channel {
  return {
    id: 9,
    name: 'ops',
    type,
    config: config as Channel['config'],
    is_default: false,
    created_at: '2026-11-25T00:00:00Z',
    updated_at: '2026-11-25T00:00:00Z',
  }
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
    sent.push({ method: init?.method ?? 'GET', path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined })
    return answer()
  })
})

afterEach(() => {
  closeChannelForm()
  vi.unstubAllGlobals()
})

const mount = () => mountIn(() => h(ChannelFormDialog))

async function submit(el: Element) {
  el.querySelector('form')!.dispatchEvent(new Event('submit'))
  await settle()
}

describe('ChannelFormDialog', () => {
  it('sends a new Gotify channel, and shows the config.<key> errors under their inputs', async () => {
    answer = () =>
      invalid([
        { field: 'config.server_url', message: 'must not be a cloud metadata address' },
        { field: 'config.token', message: 'must be a Gotify app token' },
        { field: 'config.priority', message: 'must be between 0 and 10' },
      ])
    const { el, unmount } = mount()
    openAddChannel()
    await settle()
    set(control(el, 'Name'), 'phone')
    set(control(el, 'Type'), 'gotify')
    await settle()
    const server = control(el, 'Server URL')
    const token = control(el, 'App token')
    const priority = control(el, 'Priority') as HTMLSelectElement
    expect(token.getAttribute('type')).toBe('password')
    expect(server.getAttribute('aria-required')).toBe('true')
    expect(priority.getAttribute('aria-required')).toBeNull()
    expect([...priority.options].map((o) => o.value)).toEqual(['', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    set(server, 'http://169.254.169.254')
    set(token, 'AqX7.b-Tz_9kLm2')
    set(priority, '5')
    await submit(el)

    expect(sent).toEqual([
      {
        method: 'POST',
        path: '/api/v1/channels',
        body: { name: 'phone', type: 'gotify', config: { server_url: 'http://169.254.169.254', token: 'AqX7.b-Tz_9kLm2', priority: 5 } },
      },
    ])
    for (const [c, text] of [
      [server, 'Server URL must not be a cloud metadata address'],
      [token, 'App token must be a Gotify app token'],
      [priority, 'Priority must be between 0 and 10'],
    ] as const) {
      expect(c.getAttribute('aria-invalid')).toBe('true')
      expect(described(el, c)).toContain(text)
    }
    expect(control(el, 'Name').getAttribute('aria-invalid')).toBe('false')
    unmount()
  })

  it('resets a priority chosen for Gotify when the type becomes Pushover, and sends none', async () => {
    answer = () => json(channel('pushover', { user_key_set: true, app_token_set: true }))
    const { el, unmount } = mount()
    openAddChannel()
    await settle()
    set(control(el, 'Name'), 'phone')
    set(control(el, 'Type'), 'gotify')
    await settle()
    set(control(el, 'Priority'), '8')
    set(control(el, 'Type'), 'pushover')
    await settle()
    expect(control(el, 'Priority').value).toBe('')
    set(control(el, 'User key'), 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG')
    set(control(el, 'App token'), 'azGDORePK8gMaC0QOYAMyEEuzJnyUi')
    await submit(el)
    expect(sent.map((s) => (s.body as { config: object }).config)).toEqual([
      { user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG', app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi' },
    ])
    unmount()
  })

  it('marks every required input for screen readers and every optional one in words', async () => {
    const { el, unmount } = mount()
    openAddChannel()
    await settle()
    for (const label of ['Name', 'Type']) expect(control(el, label).getAttribute('aria-required'), label).toBe('true')
    set(control(el, 'Type'), 'ntfy')
    await settle()
    const optional = (label: string) => described(el, control(el, label)).some((t) => t.startsWith('Optional'))
    expect(control(el, 'Topic').getAttribute('aria-required')).toBe('true')
    expect(optional('Topic')).toBe(false)
    for (const label of ['Server URL', 'Access token']) {
      expect(control(el, label).getAttribute('aria-required'), label).toBeNull()
      expect(optional(label), label).toBe(true)
    }
    expect(described(el, control(el, 'Server URL'))).toEqual(['Optional. Leave empty for https://ntfy.sh'])
    set(control(el, 'Type'), 'webhook')
    await settle()
    expect(described(el, control(el, 'Headers'))[0]).toMatch(/^Optional\. One per line/)
    expect(optional('URL')).toBe(false)
    unmount()
  })

  it('edits a Pushover channel with its keys blank and not required, sending only what was typed', async () => {
    const stored = channel('pushover', { user_key_set: true, app_token_set: true, priority: 0, device: 'phone' })
    answer = () => json({ ...stored, config: { ...stored.config, priority: 1 } })
    const { el, unmount } = mount()
    openEditChannel(stored)
    await settle()
    for (const label of ['User key', 'App token']) {
      const c = control(el, label)
      expect(c.value, label).toBe('')
      expect(c.getAttribute('placeholder'), label).toBe('(set — leave blank to keep)')
      expect(c.getAttribute('aria-required'), label).toBeNull()
    }
    expect(control(el, 'Priority').value).toBe('0')
    expect(control(el, 'Device').value).toBe('phone')
    set(control(el, 'Priority'), '1')
    await submit(el)
    expect(sent).toEqual([{ method: 'PATCH', path: '/api/v1/channels/9', body: { config: { priority: 1, device: 'phone' } } }])

    // Typed over: that key goes, the other stays out.
    sent = []
    openEditChannel(stored)
    await settle()
    set(control(el, 'App token'), 'azGDORePK8gMaC0QOYAMyEEuzJnyUi')
    await submit(el)
    expect(sent).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/channels/9',
        body: { config: { app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', priority: 0, device: 'phone' } },
      },
    ])
    unmount()
  })

  it('asks for the app token again once the server URL moves to another server, with a hint why', async () => {
    const stored = channel('gotify', { server_url: 'https://gotify.example.com', token_set: true, priority: 5 })
    answer = () => json(stored)
    const { el, unmount } = mount()
    openEditChannel(stored)
    await settle()
    const token = control(el, 'App token')
    expect(token.getAttribute('aria-required')).toBeNull()
    set(control(el, 'Server URL'), 'https://other.example.net')
    await settle()
    expect(token.getAttribute('aria-required')).toBe('true')
    expect(token.getAttribute('placeholder')).toBeNull()
    expect(described(el, token).join(' ')).toContain('Type it again: the stored one is never sent to a new server (Server URL changed)')
    await submit(el)
    expect(sent).toEqual([])
    expect(token.getAttribute('aria-invalid')).toBe('true')
    expect(described(el, token)).toContain('App token must be typed again: the stored one is never sent to a new server')

    // Back on the same server, another path: the stored token is kept again.
    set(control(el, 'Server URL'), 'https://gotify.example.com/gotify/')
    await settle()
    expect(token.getAttribute('aria-required')).toBeNull()
    expect(token.getAttribute('placeholder')).toBe('(set — leave blank to keep)')
    await submit(el)
    expect(sent).toEqual([
      { method: 'PATCH', path: '/api/v1/channels/9', body: { config: { server_url: 'https://gotify.example.com/gotify/', priority: 5 } } },
    ])
    unmount()
  })
})
