import { ref, shallowRef } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Channel } from '../api/types'
import { reuseUnchanged } from '../lib/reuse'
import { useApi } from '../stores/session'

/**
 * The notification channels, by name, loaded when asked (the channels page after each
 * change, the target form when it opens) with If-None-Match. Unchanged channels keep
 * their objects, so their rows do not re-render.
 */
export function useChannelList() {
  const api = useApi()
  const items = shallowRef<Channel[]>([])
  /** Whether a list has arrived at least once. */
  const loaded = ref(false)
  const error = ref('')
  let raw: unknown

  async function load(): Promise<void> {
    try {
      const res = await api.get('/channels', { cache: true })
      if (res !== raw) {
        raw = res
        items.value = reuseUnchanged(items.value, res.items, (c) => c.id)
      }
      loaded.value = true
      error.value = ''
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return // the login screen takes over
      error.value = err instanceof NetworkError ? "Can't reach the WatchDog API" : err instanceof Error ? err.message : String(err)
    }
  }

  return { items, loaded, error, load }
}
