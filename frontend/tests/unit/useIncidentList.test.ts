import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { useIncidentList } from '../../src/composables/useIncidentList'
import type { IncidentQuery } from '../../src/lib/incidents'
import { initSession } from '../../src/stores/session'
import { json, settle } from './dom'

// The incidents page: one page of incidents for the filter in the URL, and each
// target's name looked up once — "#id" for one that is gone.

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

afterEach(() => vi.unstubAllGlobals())

const incident = (id: number, targetId: number, open: boolean) => ({
  id,
  target_id: targetId,
  kind: 'down',
  started_at: '2026-11-25T12:00:00Z',
  resolved_at: open ? null : '2026-11-25T12:05:00Z',
  cause: '3 failed checks in a row',
  first_error: 'HTTP 500',
  last_error: 'HTTP 500',
})

describe('useIncidentList', () => {
  it('asks for the page and filter, and names each target once', async () => {
    const asked: string[] = []
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      const url = new URL(String(input))
      asked.push(url.pathname + url.search)
      if (url.pathname === '/api/v1/incidents') {
        const open = url.searchParams.get('open') === 'true'
        const items = open ? [incident(3, 7, true)] : [incident(3, 7, true), incident(2, 9, false), incident(1, 7, false)]
        return json({ items, total: items.length, limit: 50, offset: Number(url.searchParams.get('offset')) })
      }
      if (url.pathname === '/api/v1/targets/7') return json({ id: 7, name: 'shop-api' })
      return json({ type: 'urn:watchdog:problem:not-found', title: 'Not found', status: 404 }, 404)
    })
    const query = ref<IncidentQuery>({ open: false, page: 2, size: 50 })
    const scope = effectScope()
    const list = scope.run(() => useIncidentList(query))!
    await settle()
    expect(asked[0]).toBe('/api/v1/incidents?limit=50&offset=50')
    expect(list.items.value.map((i) => i.id)).toEqual([3, 2, 1])
    expect(list.targetName(7)).toBe('shop-api')
    expect(list.targetName(9)).toBe('#9') // gone
    expect(asked.filter((u) => u.startsWith('/api/v1/targets/'))).toEqual(['/api/v1/targets/7', '/api/v1/targets/9'])

    query.value = { open: true, page: 1, size: 50 }
    await settle()
    expect(asked.at(-1)).toBe('/api/v1/incidents?limit=50&offset=0&open=true')
    expect(list.items.value.map((i) => i.id)).toEqual([3])
    expect(list.shownKey.value).toBe(JSON.stringify(query.value))
    // Names already known are not asked again.
    expect(asked.filter((u) => u.startsWith('/api/v1/targets/'))).toHaveLength(2)
    scope.stop()
  })
})
