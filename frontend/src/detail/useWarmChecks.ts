import { type Ref, shallowRef, watch } from 'vue'
import type { Check } from '../api/types'
import { usePolling } from '../composables/usePolling'
import { useApi } from '../stores/session'

export const WARM_CHECKS = 1000
const WARM_POLL_MS = 60_000

/**
 * The latest checks of a keep-warm target for its 7-day strip: one page of 1000, once a
 * minute (not with every poll of the page). `truncated` tells there are older ones not held.
 */
export function useWarmChecks(id: Ref<number>, enabled: Ref<boolean>) {
  const api = useApi()
  const checks = shallowRef<Check[]>([])
  const loadedFor = shallowRef<number | null>(null)
  const truncated = shallowRef(false)
  let raw: unknown

  async function load() {
    if (!enabled.value) return
    const asked = id.value
    try {
      const page = await api.get('/targets/{id}/checks', { path: { id: asked }, query: { limit: WARM_CHECKS }, cache: true })
      if (asked !== id.value) return
      if (page !== raw) {
        raw = page
        checks.value = page.items
        truncated.value = page.items.length >= WARM_CHECKS
      }
      loadedFor.value = asked
    } catch {
      // The page's own polling reports errors; the strip keeps what it has.
    }
  }

  const poll = usePolling(load, { intervalMs: WARM_POLL_MS })
  watch([id, enabled], () => {
    raw = undefined
    checks.value = []
    loadedFor.value = null
    void poll.refresh()
  })

  return { checks, loadedFor, truncated }
}
