import { computed, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Stats } from '../api/types'
import { usePolling } from '../composables/usePolling'
import { useApi } from './session'
import { useTargetsVersion } from './targetEvents'

// The counts behind the top bar's summary and the stat cards, polled every 5 s (with
// If-None-Match) by the logged-in layout while any page of it is shown.

const stats = shallowRef<Stats | null>(null)
const POLL_MS = 5000

/** Starts polling for as long as the calling component lives (AppShell). */
export function pollStats() {
  const api = useApi()
  let raw: Stats | undefined
  const poller = usePolling(async () => {
    try {
      const s = await api.get('/stats', { cache: true })
      if (s !== raw) {
        raw = s
        stats.value = s
      }
    } catch (err) {
      if (!(err instanceof NetworkError) && !(err instanceof ApiError)) throw err
    }
  }, { intervalMs: POLL_MS })
  watch(useTargetsVersion(), () => void poller.refresh())
  return poller
}

export function useStats() {
  return computed(() => stats.value)
}

/** Forgets the counts (on logout), so the next user never sees the last one's. */
export function resetStats(): void {
  stats.value = null
}
