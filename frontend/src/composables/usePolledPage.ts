import { type Ref, type WatchSource, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import { reuseUnchanged } from '../lib/reuse'
import { usePolling } from './usePolling'

/** How often a list page asks again. */
export const PAGE_POLL_MS = 5000

/** One page of a list as the API answers it. */
export interface Page<T> {
  items: T[]
  total: number
}

export interface PolledPageOptions<Q, T> {
  /** Asks for the page `query` names (with If-None-Match, so an unchanged page is the same object). */
  fetch: (query: Q) => Promise<Page<T>>
  /** An item's identity, so unchanged rows keep their objects between polls. */
  key: (item: T) => string | number
  /** Runs after a page is shown, with its items (e.g. loading their heartbeats). */
  after?: (items: readonly T[]) => Promise<void>
  /** Runs when the shown page is dropped because a new query failed. */
  onClear?: () => void
  /** Also ask again at once when one of these changes (a target renamed or deleted). */
  refreshOn?: WatchSource[]
  intervalMs?: number
}

/**
 * A list page kept fresh: the page the query names, asked for every 5 s while the tab
 * is visible (usePolling) and at once when the query changes. Nothing flickers: an
 * unchanged answer changes nothing, a changed one keeps the objects of unchanged rows
 * (so only those rows re-render), an unreachable API keeps what is shown (the banner
 * says so), and an answer for a query left behind is dropped. When a new query fails,
 * the old query's rows go with its error, so they never stand under the new URL.
 */
export function usePolledPage<Q, T>(query: Ref<Q>, opts: PolledPageOptions<Q, T>) {
  const items = shallowRef<T[]>([])
  const total = ref(0)
  /** The query the shown items answer (as JSON); differs from `query` while a new one loads. */
  const shownKey = ref<string | null>(null)
  const error = ref('')
  let raw: unknown

  async function load() {
    const key = JSON.stringify(query.value)
    try {
      const page = await opts.fetch(query.value)
      if (JSON.stringify(query.value) !== key) return // an answer for a query left behind
      if (page !== raw) {
        raw = page
        items.value = reuseUnchanged(items.value, page.items, opts.key)
        total.value = page.total
      }
      shownKey.value = key
      error.value = ''
      await opts.after?.(items.value)
    } catch (err) {
      if (err instanceof NetworkError) return // the banner says so; keep what is shown
      if (err instanceof ApiError && err.status === 401) return // the login screen takes over
      if (JSON.stringify(query.value) !== key) return
      if (shownKey.value !== key) {
        items.value = []
        total.value = 0
        raw = undefined
        shownKey.value = key
        opts.onClear?.()
      }
      error.value = err instanceof Error ? err.message : String(err)
    }
  }

  const poller = usePolling(load, { intervalMs: opts.intervalMs ?? PAGE_POLL_MS })
  watch(() => JSON.stringify(query.value), () => void poller.refresh())
  for (const source of opts.refreshOn ?? []) watch(source, () => void poller.refresh())

  return { items, total, shownKey, error, refresh: poller.refresh }
}
