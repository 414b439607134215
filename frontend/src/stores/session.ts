import { readonly, ref } from 'vue'
import { ApiClient, type ExpiryReason } from '../api/client'
import { AUTH_STORAGE_KEY, localStorageTokens } from '../api/tokens'
import type { RuntimeConfig } from '../config'
import { setReachable } from './connection'

// The logged-in session: the one API client, whether there are tokens, and the
// notice the login screen shows after the session ended by itself.

export const SESSION_EXPIRED = 'Your session expired — please log in again'

const loggedIn = ref(false)
const notice = ref('')
let client: ApiClient | null = null
let expiredHandler: (() => void) | null = null
/** While "Log out" runs, a request that finds the session over is no news. */
let leaving = false

/** Creates the client for this page; main.ts calls it once, before mounting. */
export function initSession(config: RuntimeConfig, onExpired: () => void): ApiClient {
  expiredHandler = onExpired
  client = new ApiClient({
    baseUrl: `${config.apiBase}/api/v1`,
    tokens: localStorageTokens(),
    onReachability: setReachable,
    onSessionExpired: (reason: ExpiryReason) => {
      if (leaving) return
      const was = loggedIn.value
      loggedIn.value = false
      if (was || reason === 'rejected') notice.value = SESSION_EXPIRED
      expiredHandler?.()
    },
  })
  loggedIn.value = client.hasSession()
  if (loggedIn.value) client.scheduleRefresh()
  if (typeof window !== 'undefined') {
    window.removeEventListener('storage', onStorage)
    window.addEventListener('storage', onStorage)
  }
  return client
}

/**
 * Another tab logged out (its tokens are gone from localStorage, which is shared):
 * this one is logged out too — back to the login screen, with no "session expired"
 * notice, since the user ended it on purpose.
 */
function onStorage(e: StorageEvent) {
  const cleared = e.key === null || (e.key === AUTH_STORAGE_KEY && e.newValue === null)
  if (!cleared || !loggedIn.value || !client || client.hasSession()) return
  client.stopRefreshTimer()
  notice.value = ''
  loggedIn.value = false
  expiredHandler?.()
}

/** Whether there is a login, for stores that must forget what belonged to it. */
export const isLoggedIn = readonly(loggedIn)

export function useApi(): ApiClient {
  if (!client) throw new Error('initSession has not run')
  return client
}

export function useSession() {
  const api = useApi()
  return {
    loggedIn: readonly(loggedIn),
    notice: readonly(notice),
    /** `otp`: the two-factor code (or a recovery code) for a user who has it on. */
    async login(username: string, password: string, otp?: string) {
      await api.login(username, password, otp)
      notice.value = ''
      loggedIn.value = true
    },
    /** Changes the password and keeps the fresh token pair, so this session goes on. */
    async changePassword(currentPassword: string, newPassword: string) {
      await api.changePassword(currentPassword, newPassword)
    },
    /** Ends the login on the server (best effort, at most ~2 s), then here. */
    async logout() {
      leaving = true
      try {
        await api.logout()
      } finally {
        leaving = false
        notice.value = ''
        loggedIn.value = false
      }
    },
    clearNotice() {
      notice.value = ''
    },
  }
}
