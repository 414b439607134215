import { type Ref, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Incident } from '../api/types'
import { usePolling } from '../composables/usePolling'
import { reuseUnchanged } from '../lib/reuse'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'

const POLL_MS = 5000
export const TARGET_INCIDENTS = 20

/**
 * One target's latest incidents (newest first) for its page, polled every 5 s with
 * If-None-Match along with the rest of the page; unchanged incidents keep their objects.
 */
export function useTargetIncidents(id: Ref<number>) {
  const api = useApi()
  const items = shallowRef<Incident[]>([])
  const total = ref(0)
  /** The target whose incidents are shown, once they have arrived. */
  const loadedFor = ref<number | null>(null)
  const error = ref('')
  let raw: unknown

  async function load() {
    const asked = id.value
    try {
      const res = await api.get('/targets/{id}/incidents', {
        path: { id: asked },
        query: { limit: TARGET_INCIDENTS },
        cache: true,
      })
      if (asked !== id.value) return // another target is shown by now
      if (res !== raw) {
        raw = res
        items.value = reuseUnchanged(items.value, res.items, (i) => i.id)
        total.value = res.total
      }
      loadedFor.value = asked
      error.value = ''
    } catch (err) {
      if (asked !== id.value) return
      if (err instanceof NetworkError) return // the banner says so
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return // login screen; the page says "No such target"
      error.value = err instanceof Error ? err.message : String(err)
    }
  }

  const poller = usePolling(load, { intervalMs: POLL_MS })
  watch(useTargetsVersion(), () => void poller.refresh())
  watch(id, () => {
    items.value = []
    total.value = 0
    loadedFor.value = null
    raw = undefined
    void poller.refresh()
  })

  return { items, total, loadedFor, error }
}
