import { computed, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { User } from '../api/types'
import { type Role, roleAtLeast } from '../lib/access'
import { AUTH_STORAGE_KEY } from '../api/tokens'
import { isLoggedIn, useApi } from './session'

// Who is logged in (GET /auth/me): their role decides what the dashboard offers —
// viewers see no buttons that change anything, only admins see Users and the audit
// log. Loaded once per login (the router waits for it before the first page), again
// when asked, and forgotten at logout. The API enforces the roles all the same.

const user = shallowRef<User | null>(null)
/** When the user was last read (ms); 0 when never. */
let loadedAt = 0
let inflight: Promise<User | null> | null = null
/** Bumped when the login changes: an answer for the one before is dropped. */
let epoch = 0

/** How old the user may get before a navigation reads it again, in the background. */
const STALE_MS = 60_000

/**
 * Reads the current user. Without `force`, a known user is answered as is. Failures
 * leave what is known: a network error (the banner says so) or a 401 (the login screen
 * takes over) answer null or the user known before.
 */
export function loadMe(force = false): Promise<User | null> {
  if (!force && user.value) return Promise.resolve(user.value)
  if (inflight) return inflight
  const mine = epoch
  const run: Promise<User | null> = (async () => {
    try {
      const me = await useApi().get('/auth/me')
      if (mine === epoch) {
        user.value = me
        loadedAt = Date.now()
      }
    } catch (err) {
      if (!(err instanceof NetworkError) && !(err instanceof ApiError)) throw err
    }
    return mine === epoch ? user.value : null
  })().finally(() => {
    if (inflight === run) inflight = null
  })
  inflight = run
  return run
}

/** Reads the user again in the background when it is older than a minute (a role may have changed). */
export function refreshMeIfStale(now = Date.now()): void {
  if (user.value && now - loadedAt > STALE_MS) void loadMe(true)
}

/** Sets the user as known (after a change the caller made, and in tests). */
export function setMe(next: User | null): void {
  if (next === null) {
    epoch++
    inflight = null
    loadedAt = 0
  } else {
    loadedAt = Date.now()
  }
  user.value = next
}

// A logout (here, in another tab, or the session running out) forgets the user.
watch(isLoggedIn, (inNow) => {
  if (!inNow) setMe(null)
})

// Another tab stored other tokens (a refresh, or someone else logging in there): the
// same storage serves this tab, so read who it is again.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === AUTH_STORAGE_KEY && e.newValue && user.value) void loadMe(true)
  })
}

export function useMe() {
  const role = computed<Role | null>(() => user.value?.role ?? null)
  return {
    user: computed(() => user.value),
    role,
    /** Editors and admins change targets, channels and status pages. */
    canEdit: computed(() => roleAtLeast(role.value, 'editor')),
    isAdmin: computed(() => roleAtLeast(role.value, 'admin')),
    reload: () => loadMe(true),
  }
}
