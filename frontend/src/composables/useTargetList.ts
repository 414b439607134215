import { type Ref, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Heartbeat, Target } from '../api/types'
import { type ListQuery, toApiQuery } from '../lib/listQuery'
import { reuseUnchanged } from '../lib/reuse'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'
import { usePolling } from './usePolling'

export const POLL_MS = 5000
export const BEATS_PER_TARGET = 30

/**
 * The dashboard's list: the visible page of targets and their heartbeats,
 * polled every 5 s with If-None-Match. Unchanged answers keep their objects, and
 * changed pages keep the objects of unchanged rows, so a poll that finds nothing new
 * renders nothing.
 */
export function useTargetList(query: Ref<ListQuery>) {
  const api = useApi()
  const items = shallowRef<Target[]>([])
  const total = ref(0)
  const beats = shallowRef<ReadonlyMap<number, Heartbeat>>(new Map())
  /** The query the shown items answer; differs from `query` while a new one loads. */
  const shownKey = ref<string | null>(null)
  const error = ref('')

  let rawPage: unknown
  let rawBeats: unknown

  async function load() {
    const q = query.value
    const key = JSON.stringify(q)
    try {
      const page = await api.get('/targets', { query: toApiQuery(q), cache: true })
      // The filters changed while this was in flight: its answer is for the old ones.
      if (JSON.stringify(query.value) !== key) return
      if (page !== rawPage) {
        rawPage = page
        items.value = reuseUnchanged(items.value, page.items, (t) => t.id)
        total.value = page.total
      }
      shownKey.value = key
      error.value = ''
      await loadBeats(items.value)
    } catch (err) {
      if (err instanceof NetworkError) return // the banner says so; keep what is shown
      if (err instanceof ApiError && err.status === 401) return // the login screen takes over
      if (JSON.stringify(query.value) !== key) return // an answer for filters left behind
      if (shownKey.value !== key) {
        // A new query failed: the rows of the old one must not stand under the new URL.
        items.value = []
        total.value = 0
        if (beats.value.size) beats.value = new Map()
        rawPage = rawBeats = undefined
        shownKey.value = key
      }
      error.value = err instanceof Error ? err.message : String(err)
    }
  }

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

  const poller = usePolling(load, { intervalMs: POLL_MS })
  watch(() => JSON.stringify(query.value), () => void poller.refresh())
  watch(useTargetsVersion(), () => void poller.refresh())

  return { items, total, beats, shownKey, error, refresh: poller.refresh }
}
