import type { TokenPair } from './types'

/** Tokens as kept between page loads. */
export interface StoredTokens {
  accessToken: string
  refreshToken: string
  /** When the access token expires, in ms since the epoch (by this browser's clock). */
  expiresAt: number
  /** When the pair was issued (ms since the epoch); its life is expiresAt - issuedAt. */
  issuedAt?: number
}

/** The localStorage key the tokens live under. */
export const AUTH_STORAGE_KEY = 'watchdog.auth'

/** Where the client keeps its tokens. */
export interface TokenStore {
  get(): StoredTokens | null
  set(tokens: StoredTokens): void
  clear(): void
}

export function fromPair(pair: TokenPair, now: number): StoredTokens {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000,
    issuedAt: now,
  }
}

/**
 * Tokens in localStorage, read afresh on every call: another tab may have rotated
 * them (a refresh token works once), and reading them each time is what lets a tab
 * pick up its sibling's new pair instead of spending the dead one.
 */
export function localStorageTokens(key = AUTH_STORAGE_KEY, storage: Storage = localStorage): TokenStore {
  return {
    get() {
      try {
        const raw = storage.getItem(key)
        if (!raw) return null
        const v = JSON.parse(raw) as Partial<StoredTokens>
        if (typeof v.accessToken !== 'string' || typeof v.refreshToken !== 'string') return null
        return {
          accessToken: v.accessToken,
          refreshToken: v.refreshToken,
          expiresAt: typeof v.expiresAt === 'number' ? v.expiresAt : 0,
          issuedAt: typeof v.issuedAt === 'number' ? v.issuedAt : undefined,
        }
      } catch {
        return null
      }
    },
    set(tokens) {
      storage.setItem(key, JSON.stringify(tokens))
    },
    clear() {
      storage.removeItem(key)
    },
  }
}

/** Tokens in memory: for tests, and where storage is unavailable. */
export function memoryTokens(initial: StoredTokens | null = null): TokenStore {
  let current = initial
  return {
    get: () => current,
    set: (t) => {
      current = t
    },
    clear: () => {
      current = null
    },
  }
}
