import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { ApiError, NetworkError } from '../../src/api/errors'
import { type Page, usePolledPage } from '../../src/composables/usePolledPage'

// A list page kept fresh without flicker: every 5 s while the tab is visible, at once
// on a new query, unchanged rows keeping their objects, an unreachable API keeping
// what is shown, and a refused new query taking the old rows away.

interface Row {
  id: number
  name: string
}

let visibility: DocumentVisibilityState = 'visible'

beforeEach(() => {
  vi.useFakeTimers()
  visibility = 'visible'
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility })
})

afterEach(() => {
  vi.useRealTimers()
})

function page(rows: Row[]): Page<Row> {
  return { items: rows.map((r) => ({ ...r })), total: rows.length }
}

function start(fetch: (q: { tag: string }) => Promise<Page<Row>>, after?: (items: readonly Row[]) => Promise<void>) {
  const query = ref({ tag: '' })
  const scope = effectScope()
  const list = scope.run(() => usePolledPage(query, { fetch, key: (r) => r.id, after }))!
  return { query, scope, list }
}

describe('usePolledPage', () => {
  it('shows the first page at once and asks again every 5 s', async () => {
    const fetch = vi.fn(async () => page([{ id: 1, name: 'shop-api' }]))
    const { list, scope, query } = start(fetch)
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(list.items.value).toEqual([{ id: 1, name: 'shop-api' }])
    expect(list.total.value).toBe(1)
    expect(list.shownKey.value).toBe(JSON.stringify(query.value))
    await vi.advanceTimersByTimeAsync(4999)
    expect(fetch).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(2)
    scope.stop()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('keeps the objects of unchanged rows, and the array when nothing changed', async () => {
    let rows = [
      { id: 1, name: 'shop-api' },
      { id: 2, name: 'blog' },
    ]
    const { list, scope } = start(async () => page(rows))
    await vi.advanceTimersByTimeAsync(0)
    const first = list.items.value
    await vi.advanceTimersByTimeAsync(5000)
    expect(list.items.value).toBe(first)
    rows = [
      { id: 1, name: 'shop-api' },
      { id: 2, name: 'blog (renamed)' },
    ]
    await vi.advanceTimersByTimeAsync(5000)
    expect(list.items.value).not.toBe(first)
    expect(list.items.value[0]).toBe(first[0])
    expect(list.items.value[1]).toEqual({ id: 2, name: 'blog (renamed)' })
    scope.stop()
  })

  it('pauses while the tab is hidden and asks at once when it is shown again', async () => {
    const fetch = vi.fn(async () => page([]))
    const { scope } = start(fetch)
    await vi.advanceTimersByTimeAsync(0)
    visibility = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fetch).toHaveBeenCalledTimes(1)
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(2)
    scope.stop()
  })

  it('asks at once for a new query and drops an answer for the query left behind', async () => {
    const answers: Record<string, (p: Page<Row>) => void> = {}
    const fetch = vi.fn((q: { tag: string }) => new Promise<Page<Row>>((resolve) => (answers[q.tag] = resolve)))
    const { list, scope, query } = start(fetch)
    await vi.advanceTimersByTimeAsync(0)
    query.value = { tag: 'prod' }
    await nextTick()
    answers['']!(page([{ id: 1, name: 'old filter' }]))
    await vi.advanceTimersByTimeAsync(0)
    expect(list.items.value).toEqual([])
    expect(fetch).toHaveBeenLastCalledWith({ tag: 'prod' })
    answers['prod']!(page([{ id: 2, name: 'prod-api' }]))
    await vi.advanceTimersByTimeAsync(0)
    expect(list.items.value).toEqual([{ id: 2, name: 'prod-api' }])
    expect(list.shownKey.value).toBe(JSON.stringify({ tag: 'prod' }))
    scope.stop()
  })

  it('keeps what is shown while the API cannot be reached', async () => {
    let down = false
    const { list, scope } = start(async () => {
      if (down) throw new NetworkError("Can't reach the WatchDog API")
      return page([{ id: 1, name: 'shop-api' }])
    })
    await vi.advanceTimersByTimeAsync(0)
    const shown = list.items.value
    down = true
    await vi.advanceTimersByTimeAsync(5000)
    expect(list.items.value).toBe(shown)
    expect(list.error.value).toBe('')
    scope.stop()
  })

  it("takes the old query's rows away when a new query is refused, and says why", async () => {
    const problem = new ApiError(422, { type: 'urn:watchdog:problem:validation', title: 'Invalid', status: 422, detail: 'tag: invalid' })
    const { list, scope, query } = start(async (q) => {
      if (q.tag === 'bad tag') throw problem
      return page([{ id: 1, name: 'shop-api' }])
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(list.items.value).toHaveLength(1)
    query.value = { tag: 'bad tag' }
    await vi.advanceTimersByTimeAsync(0)
    expect(list.error.value).toBe('tag: invalid')
    expect(list.items.value).toEqual([])
    expect(list.total.value).toBe(0)
    expect(list.shownKey.value).toBe(JSON.stringify({ tag: 'bad tag' }))
    scope.stop()
  })

  it('hands each shown page to `after`', async () => {
    const seen: number[][] = []
    const { scope } = start(
      async () => page([{ id: 7, name: 'a' }]),
      async (items) => {
        seen.push(items.map((r) => r.id))
      },
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([[7]])
    scope.stop()
  })
})
