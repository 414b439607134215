import { ref, shallowRef } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Budget } from '../api/types'
import { useApi } from '../stores/session'

/**
 * The free-hour budget groups (GET /budgets), loaded when asked (the budgets page, the
 * target form's list of groups) with If-None-Match.
 */
export function useBudgets() {
  const api = useApi()
  const items = shallowRef<readonly Budget[]>([])
  const loaded = ref(false)
  const error = ref('')

  async function load(): Promise<void> {
    try {
      const res = await api.get('/budgets', { cache: true })
      if (res.items !== items.value) items.value = res.items
      loaded.value = true
      error.value = ''
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return // the login screen takes over
      error.value = err instanceof NetworkError ? "Can't reach the WatchDog API" : err instanceof Error ? err.message : String(err)
    }
  }

  return { items, loaded, error, load }
}
