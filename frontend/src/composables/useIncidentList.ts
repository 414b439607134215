import { type Ref, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Incident } from '../api/types'
import { type IncidentQuery, toIncidentApiQuery } from '../lib/incidents'
import { reuseUnchanged } from '../lib/reuse'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'
import { usePolling } from './usePolling'

const POLL_MS = 5000

/**
 * The incidents page's list: one page of every target's incidents, newest first,
 * polled every 5 s with If-None-Match; and the names of the targets on it, each looked
 * up once (null for a target that is gone).
 */
export function useIncidentList(query: Ref<IncidentQuery>) {
  const api = useApi()
  const items = shallowRef<Incident[]>([])
  const total = ref(0)
  const names = shallowRef<ReadonlyMap<number, string | null>>(new Map())
  /** The query the shown items answer; differs from `query` while a new one loads. */
  const shownKey = ref<string | null>(null)
  const error = ref('')
  const asking = new Set<number>()
  let raw: unknown

  async function load() {
    const q = query.value
    const key = JSON.stringify(q)
    try {
      const page = await api.get('/incidents', { query: toIncidentApiQuery(q), cache: true })
      if (JSON.stringify(query.value) !== key) return // an answer for a filter left behind
      if (page !== raw) {
        raw = page
        items.value = reuseUnchanged(items.value, page.items, (i) => i.id)
        total.value = page.total
      }
      shownKey.value = key
      error.value = ''
      await loadNames(items.value)
    } catch (err) {
      if (err instanceof NetworkError) return // the banner says so; keep what is shown
      if (err instanceof ApiError && err.status === 401) return // the login screen takes over
      if (JSON.stringify(query.value) !== key) return
      if (shownKey.value !== key) {
        items.value = []
        total.value = 0
        raw = undefined
        shownKey.value = key
      }
      error.value = err instanceof Error ? err.message : String(err)
    }
  }

  async function loadNames(list: readonly Incident[]) {
    const wanted = [...new Set(list.map((i) => i.target_id))].filter((id) => !names.value.has(id) && !asking.has(id))
    if (wanted.length === 0) return
    for (const id of wanted) asking.add(id)
    const found = await Promise.all(
      wanted.map(async (id): Promise<[number, string | null] | null> => {
        try {
          const t = await api.get('/targets/{id}', { path: { id }, cache: true })
          return [id, t.name]
        } catch (err) {
          return err instanceof ApiError && err.status === 404 ? [id, null] : null // else: "#id" until the next poll
        } finally {
          asking.delete(id)
        }
      }),
    )
    const next = new Map(names.value)
    for (const f of found) if (f) next.set(f[0], f[1])
    names.value = next
  }

  /** The target's name, or "#7" until it is known (or when the target is gone). */
  function targetName(id: number): string {
    return names.value.get(id) ?? `#${id}`
  }

  const poller = usePolling(load, { intervalMs: POLL_MS })
  watch(() => JSON.stringify(query.value), () => void poller.refresh())
  watch(useTargetsVersion(), () => {
    names.value = new Map() // a rename or delete: ask again
    void poller.refresh()
  })

  return { items, total, names, shownKey, error, targetName, refresh: poller.refresh }
}
