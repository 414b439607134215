import { type Ref, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { components } from '../api/schema'
import { type AuditQuery, toAuditApiQuery } from '../lib/audit'
import { reuseUnchanged } from '../lib/reuse'
import { useApi } from '../stores/session'
import { usePolling } from './usePolling'

type AuditEntry = components['schemas']['AuditEntry']

const POLL_MS = 5000

/**
 * The audit log page's list: one page of entries for the kind in the URL, newest
 * first, polled every 5 s with If-None-Match (new changes show up on the first page).
 */
export function useAuditList(query: Ref<AuditQuery>) {
  const api = useApi()
  const items = shallowRef<AuditEntry[]>([])
  const total = ref(0)
  /** The query the shown items answer; differs from `query` while a new one loads. */
  const shownKey = ref<string | null>(null)
  const error = ref('')
  let raw: unknown

  async function load() {
    const q = query.value
    const key = JSON.stringify(q)
    try {
      const page = await api.get('/audit', { query: toAuditApiQuery(q), cache: true })
      if (JSON.stringify(query.value) !== key) return // an answer for a filter left behind
      if (page !== raw) {
        raw = page
        items.value = reuseUnchanged(items.value, page.items, (e) => e.id)
        total.value = page.total
      }
      shownKey.value = key
      error.value = ''
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

  const poller = usePolling(load, { intervalMs: POLL_MS })
  watch(() => JSON.stringify(query.value), () => void poller.refresh())

  return { items, total, shownKey, error, refresh: poller.refresh }
}
