import { describe, expect, it, vi } from 'vitest'
import { AUTH_STORAGE_KEY } from '../../src/api/tokens'
import { initSession, useSession } from '../../src/stores/session'

// Logging out in one tab logs out the others: they see the tokens leave localStorage.

describe('session', () => {
  it('goes to the login screen, without the "session expired" notice, when another tab logs out', () => {
    localStorage.setItem(
      AUTH_STORAGE_KEY,
      JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
    )
    const onExpired = vi.fn()
    const client = initSession({ apiBase: 'http://api.test' }, onExpired)
    const session = useSession()
    expect(session.loggedIn.value).toBe(true)

    // Something else changes in storage: nothing happens.
    window.dispatchEvent(new StorageEvent('storage', { key: 'watchdog.theme', oldValue: null, newValue: 'dark' }))
    expect(session.loggedIn.value).toBe(true)

    // The other tab logged out.
    const old = localStorage.getItem(AUTH_STORAGE_KEY)
    localStorage.removeItem(AUTH_STORAGE_KEY)
    window.dispatchEvent(new StorageEvent('storage', { key: AUTH_STORAGE_KEY, oldValue: old, newValue: null }))
    expect(session.loggedIn.value).toBe(false)
    expect(session.notice.value).toBe('')
    expect(onExpired).toHaveBeenCalledTimes(1)
    client.stopRefreshTimer()
  })
})
