import { computed, ref, shallowRef } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Platform } from '../api/types'
import { useApi } from './session'

// The keep-warm platform presets (GET /platforms): versioned data that changes only
// with the server, so loaded once per page load, when something first needs it (the
// target form, a keep-warm target's page), and shared.

const items = shallowRef<readonly Platform[]>([])
const loaded = ref(false)
const error = ref('')
let loading: Promise<void> | null = null

export function usePlatforms() {
  const api = useApi()

  function load(): Promise<void> {
    if (loaded.value) return Promise.resolve()
    loading ??= (async () => {
      try {
        const res = await api.get('/platforms')
        items.value = res.items
        loaded.value = true
        error.value = ''
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return
        error.value = err instanceof NetworkError ? "Can't reach the WatchDog API" : err instanceof Error ? err.message : String(err)
      } finally {
        loading = null
      }
    })()
    return loading
  }

  const byKey = computed(() => new Map(items.value.map((p) => [p.key, p])))

  return { items: computed(() => items.value), byKey, loaded, error, load }
}
