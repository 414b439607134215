import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { useTargetList } from '../../src/composables/useTargetList'
import type { ListQuery } from '../../src/lib/listQuery'
import { initSession } from '../../src/stores/session'
import { settle } from './dom'

// The dashboard list when a new filter is refused: the old filter's rows go, they do
// not linger under the new URL.

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

afterEach(() => vi.unstubAllGlobals())

describe('useTargetList', () => {
  it('clears the rows when a new query fails with an API error', async () => {
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      const url = new URL(String(input))
      if (url.pathname.endsWith('/heartbeats')) {
        return new Response(JSON.stringify({ items: [] }), { headers: { 'Content-Type': 'application/json' } })
      }
      if (url.searchParams.get('tag') === 'bad tag') {
        const problem = { type: 'urn:watchdog:problem:validation', title: 'Invalid', status: 422, detail: 'tag: invalid' }
        return new Response(JSON.stringify(problem), { status: 422, headers: { 'Content-Type': 'application/problem+json' } })
      }
      const items = [{ id: 1, name: 'shop-api', url: 'https://shop.example/', is_active: true }]
      return new Response(JSON.stringify({ items, total: 1, limit: 50, offset: 0 }), {
        headers: { 'Content-Type': 'application/json' },
      })
    })
    const query = ref<ListQuery>({ q: '', status: '', tag: '', sort: 'name', page: 1, size: 50 })
    const scope = effectScope()
    const list = scope.run(() => useTargetList(query))!
    await settle()
    expect(list.items.value).toHaveLength(1)
    expect(list.total.value).toBe(1)

    query.value = { ...query.value, tag: 'bad tag' }
    await settle()
    expect(list.error.value).toBe('tag: invalid')
    expect(list.items.value).toEqual([])
    expect(list.total.value).toBe(0)
    expect(list.shownKey.value).toBe(JSON.stringify(query.value))
    scope.stop()
  })
})
