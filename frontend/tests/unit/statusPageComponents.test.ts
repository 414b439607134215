// The status page components in a DOM (happy-dom): the shared page body renders names
// as text only; the editor's live preview follows what is typed and ticked; the public
// view sends no credential and says plainly when there is no page.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import StatusPageBody from '../../src/components/status/StatusPageBody.vue'
import StatusPageEditor, { type StatusPageEditorState } from '../../src/components/status/StatusPageEditor.vue'
import TargetPicker from '../../src/components/status/TargetPicker.vue'
import type { PublicStatusPage } from '../../src/lib/statusPage'
import { createTargetLookup } from '../../src/lib/statusPageData'
import { initSession, useApi } from '../../src/stores/session'
import PublicStatusView from '../../src/views/PublicStatusView.vue'
import { byLabel, json, mount, settle } from './dom'

const EVIL = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>'

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'secret-access', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  input.value = value
  input.dispatchEvent(new Event('input'))
}

describe('StatusPageBody', () => {
  const page: PublicStatusPage = {
    title: `Acme ${EVIL}`,
    description: `Line one\n${EVIL}`,
    targets: [
      { id: 1, name: EVIL, status: 'up', uptime_24h: 0.9995, uptime_30d: null },
      { id: 2, name: 'db', status: 'down', uptime_24h: 0.5, uptime_30d: 0.98 },
    ],
    incidents: [
      { id: 9, target_id: 1, target_name: EVIL, kind: 'down', started_at: new Date(Date.now() - 60_000).toISOString(), resolved_at: null },
    ],
    generated_at: new Date().toISOString(),
  }

  it('renders names, titles and descriptions as text, never as markup', () => {
    const { el, unmount } = mount(() => h(StatusPageBody, { page }))
    expect(el.textContent).toContain(EVIL)
    expect(el.querySelector('script')).toBeNull()
    expect(el.querySelector('img')).toBeNull()
    expect(el.querySelector('h1')?.textContent).toBe(`Acme ${EVIL}`)
    expect(el.querySelector('.sp-desc')?.textContent).toBe(`Line one\n${EVIL}`)
    const names = [...el.querySelectorAll('.sp-target .sp-name')].map((n) => n.textContent)
    expect(names).toEqual([EVIL, 'db'])
    unmount()
  })

  it('says the verdict, each status and uptime in words', () => {
    const { el, unmount } = mount(() => h(StatusPageBody, { page, headingLevel: 2 }))
    expect(el.querySelector('.sp-overall')?.textContent?.trim()).toBe('Partial outage')
    expect(el.querySelector('h2')?.textContent).toContain('Acme')
    const rows = [...el.querySelectorAll('.sp-target')].map((r) => r.textContent?.replace(/\s+/g, ' ').trim())
    expect(rows[0]).toContain('Up')
    expect(rows[0]).toContain('Uptime 24 h99.95%')
    expect(rows[0]).toContain('Uptime 30 d—')
    expect(rows[1]).toContain('Down')
    expect(rows[1]).toContain('98%')
    const incident = el.querySelector('.sp-incident')!
    expect(incident.textContent).toContain('Outage')
    expect(incident.textContent).toContain('Ongoing')
    expect(incident.querySelector('time')?.getAttribute('title')).toBeTruthy()
    unmount()
  })
})

describe('StatusPageEditor', () => {
  it('updates the live preview as the form is filled in', async () => {
    const target = {
      id: 1,
      name: EVIL,
      url: 'http://127.0.0.1:9/ok',
      is_active: true,
      last_status: 'up',
    }
    const requests: string[] = []
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      const url = new URL(String(input))
      requests.push(url.pathname + url.search)
      if (url.pathname === '/api/v1/targets') return json({ items: [target], total: 1, limit: 20, offset: 0 })
      if (url.pathname === '/api/v1/heartbeats') return json({ items: [{ target_id: 1, checks: [], uptime_24h: 0.9995 }] })
      if (url.pathname === '/api/v1/targets/1/stats') return json({ target_id: 1, uptime_ratio: 0.99 })
      if (url.pathname === '/api/v1/targets/1') return json(target)
      return json({ type: 'x:not-found', title: 'Not Found', status: 404 }, 404, 'application/problem+json')
    })
    const state = ref<StatusPageEditorState | null>({ mode: 'add' })
    const lookup = createTargetLookup(useApi())
    const { unmount } = mount(() => h(StatusPageEditor, { state: state.value, lookup, onClose: () => (state.value = null) }))
    await settle()
    const dialog = document.querySelector('dialog')!
    const preview = () => dialog.querySelector('[data-testid="status-page-preview"]')!

    expect(preview().querySelector('h3')?.textContent).toBe('Untitled status page')
    expect(preview().textContent).toContain('No data yet')

    type(byLabel(dialog, 'Title')!, 'Acme Status')
    await nextTick()
    expect(preview().querySelector('h3')?.textContent).toBe('Acme Status')
    expect(byLabel(dialog, 'Slug')!.value).toBe('acme-status')
    expect(dialog.textContent).toContain('/status/acme-status')

    type(byLabel<HTMLTextAreaElement>(dialog, 'Description')!, 'Our shop.\nAnd more.')
    await nextTick()
    expect(preview().querySelector('.sp-desc')?.textContent).toBe('Our shop.\nAnd more.')

    // The search listed the target; ticking it puts it in the preview, as text.
    const check = byLabel(dialog, `Show ${EVIL}`)!
    expect(check.type).toBe('checkbox')
    check.checked = true
    check.dispatchEvent(new Event('change'))
    await settle()
    expect(preview().querySelector('.sp-target .sp-name')?.textContent).toBe(EVIL)
    expect(preview().querySelector('script, img')).toBeNull()
    expect(preview().querySelector('.sp-overall')?.textContent?.trim()).toBe('All systems operational')
    expect(preview().textContent).toContain('99.95%')
    expect(preview().textContent).toContain('99%')
    expect(requests.some((r) => r.startsWith('/api/v1/heartbeats?ids=1'))).toBe(true)
    // The chosen list names its buttons after the target.
    const labels = [...dialog.querySelectorAll('li[data-id="1"] button')].map((b) => b.getAttribute('aria-label'))
    expect(labels).toEqual([`Move up ${EVIL}`, `Move down ${EVIL}`, `Remove ${EVIL}`])

    // A typed slug is kept when the title changes afterwards.
    type(byLabel(dialog, 'Slug')!, 'acme')
    type(byLabel(dialog, 'Title')!, 'Acme Inc')
    await nextTick()
    expect(byLabel(dialog, 'Slug')!.value).toBe('acme')
    expect(preview().querySelector('h3')?.textContent).toBe('Acme Inc')
    unmount()
  })

  it("shows the API's field errors under the slug and under the target it names", async () => {
    const target = { id: 4, name: 'shop-api', url: 'https://shop.example/', is_active: true, last_status: 'up' }
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      if (url.pathname === '/api/v1/status-pages' && init?.method === 'POST') {
        const problem = {
          type: 'urn:watchdog:problem:validation',
          title: 'Invalid',
          status: 422,
          errors: [
            { field: 'slug', message: 'is already taken' },
            { field: 'target_ids[0]', message: 'is not a known target' },
          ],
        }
        return json(problem, 422, 'application/problem+json')
      }
      if (url.pathname === '/api/v1/targets') return json({ items: [target], total: 1, limit: 20, offset: 0 })
      if (url.pathname === '/api/v1/heartbeats') return json({ items: [] })
      return json({ target_id: 4, uptime_ratio: null })
    })
    const lookup = createTargetLookup(useApi())
    const { unmount } = mount(() => h(StatusPageEditor, { state: { mode: 'add' }, lookup }))
    await settle()
    const dialog = document.querySelector('dialog')!
    type(byLabel(dialog, 'Title')!, 'Acme')
    const check = byLabel(dialog, 'Show shop-api')!
    check.checked = true
    check.dispatchEvent(new Event('change'))
    await settle()
    dialog.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    const slug = byLabel(dialog, 'Slug')!
    expect(slug.getAttribute('aria-invalid')).toBe('true')
    const slugError = document.getElementById(slug.getAttribute('aria-describedby')!.split(' ')[0]!)
    expect(slugError?.textContent).toBe('Slug is already taken')
    const item = dialog.querySelector('li[data-id="4"]')!
    expect(item.querySelector('.field-error')?.textContent?.trim()).toBe('shop-api: is not a known target')
    unmount()
  })
})

describe('TargetPicker', () => {
  it('moves and removes chosen targets, keeping focus with them and saying what happened', async () => {
    const items = [1, 2, 3].map((id) => ({ id, name: `t${id}`, url: `https://t${id}.example/`, is_active: id !== 3, last_status: 'up' }))
    vi.stubGlobal('fetch', async () => json({ items, total: 3, limit: 20, offset: 0 }))
    const lookup = createTargetLookup(useApi())
    const ids = ref<number[]>([1, 2, 3])
    const { el, unmount } = mount(() =>
      h(TargetPicker, { modelValue: ids.value, lookup, errors: {}, 'onUpdate:modelValue': (v: number[]) => (ids.value = v) }),
    )
    await settle()
    const button = (label: string) => el.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)!
    const live = () => el.querySelector('[aria-live="polite"]')?.textContent
    // Paused shows as Paused, in words.
    expect(el.querySelector('li[data-id="3"]')?.textContent).toContain('Paused')
    expect(button('Move up t1').getAttribute('aria-disabled')).toBe('true')

    button('Move down t1').focus()
    button('Move down t1').click()
    await settle()
    expect(ids.value).toEqual([2, 1, 3])
    expect(document.activeElement).toBe(button('Move down t1'))
    expect(live()).toBe('t1 moved to position 2 of 3')

    button('Move down t1').click()
    await settle()
    expect(ids.value).toEqual([2, 3, 1])
    // At the bottom now: focus goes to its other move button.
    expect(document.activeElement).toBe(button('Move up t1'))

    button('Remove t3').click()
    await settle()
    expect(ids.value).toEqual([2, 1])
    expect(document.activeElement).toBe(button('Remove t1'))
    expect(live()).toBe('t3 removed')

    // Unticking a search result takes it off the list as well.
    const t2 = byLabel(el, 'Show t2')!
    expect(t2.checked).toBe(true)
    t2.checked = false
    t2.dispatchEvent(new Event('change'))
    await settle()
    expect(ids.value).toEqual([1])
    unmount()
  })
})

describe('PublicStatusView', () => {
  async function mountAt(path: string) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/status/:slug', name: 'public-status', component: PublicStatusView }],
    })
    await router.push(path)
    await router.isReady()
    const el = document.createElement('div')
    document.body.append(el)
    const app = createApp({ render: () => h('div', [h(PublicStatusView)]) })
    app.use(router)
    app.mount(el)
    return { el, unmount: () => app.unmount() }
  }

  it('shows the page without sending the logged-in token, and titles the tab after it', async () => {
    const sent: { url: string; auth: string | null; credentials?: RequestCredentials }[] = []
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ url: String(input), auth: new Headers(init?.headers).get('Authorization'), credentials: init?.credentials })
      return json({
        title: 'Acme status',
        description: '',
        targets: [{ id: 1, name: 'shop-api', status: 'up', uptime_24h: 1, uptime_30d: 1 }],
        incidents: [],
        generated_at: new Date(Date.now() - 12_000).toISOString(),
      })
    })
    const { el, unmount } = await mountAt('/status/acme')
    await settle()
    expect(sent).toEqual([{ url: 'http://api.test/api/v1/public/status-pages/acme', auth: null, credentials: 'omit' }])
    expect(el.querySelector('h1')?.textContent).toBe('Acme status')
    expect(el.textContent).toContain('All systems operational')
    expect(el.textContent).toMatch(/Updated 1\d s ago/)
    expect(el.textContent).toContain('Powered by WatchDog')
    expect(document.title).toBe('Acme status')
    unmount()
  })

  it('says there is no page for an unknown slug', async () => {
    vi.stubGlobal('fetch', async () => json({ type: 'urn:watchdog:problem:not-found', title: 'Not Found', status: 404 }, 404, 'application/problem+json'))
    const { el, unmount } = await mountAt('/status/nope')
    await settle()
    expect(el.querySelector('h1')?.textContent).toBe('There is no status page here')
    unmount()
  })

  it("keeps the page and says it can't reach the service when the network fails", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      let up = true
      vi.stubGlobal('fetch', async () => {
        if (!up) throw new TypeError('Failed to fetch')
        return json({ title: 'Acme', description: '', targets: [], incidents: [], generated_at: new Date().toISOString() })
      })
      const { el, unmount } = await mountAt('/status/acme')
      await vi.advanceTimersByTimeAsync(0)
      await nextTick()
      expect(el.querySelector('h1')?.textContent).toBe('Acme')
      up = false
      await vi.advanceTimersByTimeAsync(30_000)
      await nextTick()
      expect(el.querySelector('[role="alert"]')?.textContent).toContain("Can't reach the status service")
      expect(el.querySelector('h1')?.textContent).toBe('Acme')
      up = true
      await vi.advanceTimersByTimeAsync(30_000)
      await nextTick()
      expect(el.querySelector('[role="alert"]')?.textContent?.trim()).toBe('')
      unmount()
    } finally {
      vi.useRealTimers()
    }
  })
})
