import { type Ref, shallowRef } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Heartbeat, Target } from '../api/types'
import { type ListQuery, toApiQuery } from '../lib/listQuery'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'
import { usePolledPage } from './usePolledPage'

export const BEATS_PER_TARGET = 30

/**
 * The dashboard's list: the visible page of targets (usePolledPage: every 5 s with
 * If-None-Match, unchanged rows keep their objects) and their heartbeats, so a poll
 * that finds nothing new renders nothing.
 */
export function useTargetList(query: Ref<ListQuery>) {
  const api = useApi()
  const beats = shallowRef<ReadonlyMap<number, Heartbeat>>(new Map())
  let rawBeats: unknown

  const page = usePolledPage(query, {
    fetch: (q) => api.get('/targets', { query: toApiQuery(q), cache: true }),
    key: (t) => t.id,
    after: loadBeats,
    onClear: () => {
      if (beats.value.size) beats.value = new Map()
      rawBeats = undefined
    },
    refreshOn: [useTargetsVersion()],
  })

  async function loadBeats(targets: readonly Target[]) {
    if (targets.length === 0) {
      if (beats.value.size) beats.value = new Map()
      return
    }
    try {
      const res = await api.get('/heartbeats', {
        query: { ids: targets.map((t) => t.id).join(','), limit: BEATS_PER_TARGET },
        cache: true,
      })
      if (res === rawBeats) return
      rawBeats = res
      const prev = beats.value
      const next = new Map<number, Heartbeat>()
      let changed = prev.size !== res.items.length
      for (const hb of res.items) {
        const old = prev.get(hb.target_id)
        const same = old !== undefined && JSON.stringify(old) === JSON.stringify(hb)
        next.set(hb.target_id, same ? old : hb)
        if (!same) changed = true
      }
      if (changed) beats.value = next
    } catch (err) {
      // The strip is a bonus: without it the rows still say everything.
      if (!(err instanceof NetworkError) && !(err instanceof ApiError && err.status === 401)) {
        if (beats.value.size) beats.value = new Map()
      }
    }
  }

  return { ...page, beats }
}
