// What the status page editor and list know of targets: names and states (from the
// targets API), uptime over 24 hours (heartbeats) and 30 days (stats), gathered once per
// target and kept while the page is open. Every call goes through the app's ApiClient.
import { type ShallowRef, shallowRef } from 'vue'
import type { ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import type { Target } from '../api/types'
import { type PickedTarget, placeholderName, pickedFromTarget } from './statusPage'

/** Requests at a time when asking target by target. */
const PARALLEL = 6
/** The heartbeats endpoint takes at most this many ids. */
const HEARTBEAT_IDS = 200
export const SEARCH_LIMIT = 20

export interface TargetLookup {
  /** Everything known so far, by id; a new Map on every change. */
  known: ShallowRef<ReadonlyMap<number, PickedTarget>>
  /** Targets just listed (a search): their names and states, fresher than what was known. */
  remember(targets: readonly Target[]): void
  /** Asks for what is not known yet of these targets: name and state, then uptime. */
  ensure(ids: readonly number[], opts?: { uptime?: boolean }): Promise<void>
  /** One page of targets whose name or URL holds q, by name. */
  search(q: string, signal?: AbortSignal): Promise<{ items: Target[]; total: number }>
}

/** Runs fn over items, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

export function createTargetLookup(api: ApiClient): TargetLookup {
  const known = shallowRef<ReadonlyMap<number, PickedTarget>>(new Map())
  const askedNames = new Set<number>()
  const askedUptime = new Set<number>()

  function merge(updates: readonly PickedTarget[]) {
    if (updates.length === 0) return
    const next = new Map(known.value)
    for (const u of updates) next.set(u.id, { ...next.get(u.id), ...u })
    known.value = next
  }

  function remember(targets: readonly Target[]) {
    const changed = targets
      .map(pickedFromTarget)
      .filter((p) => {
        const k = known.value.get(p.id)
        return !k || k.name !== p.name || k.status !== p.status || k.missing
      })
      .map((p) => ({ ...p, missing: false }))
    for (const t of targets) askedNames.add(t.id)
    merge(changed)
  }

  async function names(ids: readonly number[]) {
    const todo = ids.filter((id) => !askedNames.has(id) && !known.value.has(id))
    for (const id of todo) askedNames.add(id)
    const found: PickedTarget[] = []
    await eachLimited(todo, PARALLEL, async (id) => {
      try {
        found.push(pickedFromTarget(await api.get('/targets/{id}', { path: { id } })))
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          found.push({ id, name: placeholderName(id, true), status: 'unknown', missing: true })
        } else askedNames.delete(id) // ask again next time
      }
    })
    merge(found)
  }

  async function uptime(ids: readonly number[]) {
    const todo = ids.filter((id) => !askedUptime.has(id) && !known.value.get(id)?.missing)
    if (todo.length === 0) return
    for (const id of todo) askedUptime.add(id)
    const day = new Map<number, number | null>()
    const month = new Map<number, number | null>()
    const chunks: number[][] = []
    for (let i = 0; i < todo.length; i += HEARTBEAT_IDS) chunks.push(todo.slice(i, i + HEARTBEAT_IDS))
    await Promise.all([
      ...chunks.map(async (chunk) => {
        try {
          const res = await api.get('/heartbeats', { query: { ids: chunk.join(','), limit: 1 } })
          for (const h of res.items) day.set(h.target_id, h.uptime_24h)
        } catch {
          // The preview shows "—"; nothing else depends on it.
        }
      }),
      eachLimited(todo, PARALLEL, async (id) => {
        try {
          const s = await api.get('/targets/{id}/stats', { path: { id }, query: { window: '30d' } })
          month.set(id, s.uptime_ratio)
        } catch {
          // As above.
        }
      }),
    ])
    merge(
      todo
        .filter((id) => known.value.has(id))
        .map((id) => ({ ...known.value.get(id)!, uptime24h: day.get(id) ?? null, uptime30d: month.get(id) ?? null })),
    )
  }

  async function ensure(ids: readonly number[], opts: { uptime?: boolean } = {}) {
    await names(ids)
    if (opts.uptime !== false) await uptime(ids)
  }

  async function search(q: string, signal?: AbortSignal) {
    const res = await api.get('/targets', {
      query: { q: q.trim() || undefined, limit: SEARCH_LIMIT, sort: 'name' },
      signal,
    })
    remember(res.items)
    return { items: res.items, total: res.total }
  }

  return { known, remember, ensure, search }
}
