import { type Ref, shallowRef, watch } from 'vue'
import { ApiError } from '../api/errors'
import type { Incident } from '../api/types'
import { type IncidentQuery, toIncidentApiQuery } from '../lib/incidents'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'
import { usePolledPage } from './usePolledPage'

/**
 * The incidents page's list: one page of every target's incidents, newest first
 * (usePolledPage: every 5 s with If-None-Match); and the names of the targets on it,
 * each looked up once (null for a target that is gone).
 */
export function useIncidentList(query: Ref<IncidentQuery>) {
  const api = useApi()
  const names = shallowRef<ReadonlyMap<number, string | null>>(new Map())
  const asking = new Set<number>()

  const page = usePolledPage(query, {
    fetch: (q) => api.get('/incidents', { query: toIncidentApiQuery(q), cache: true }),
    key: (i) => i.id,
    after: loadNames,
  })

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

  watch(useTargetsVersion(), () => {
    names.value = new Map() // a rename or delete: ask again
    void page.refresh()
  })

  return { ...page, names, targetName }
}
