// Runtime configuration: the built files work from any static host, and the API's
// address is set there, without rebuilding, by an optional config.json next to
// index.html: { "apiBase": "https://watchdog.example.com" }. Without one the API is
// on the same origin.

export interface RuntimeConfig {
  /** Where the API lives: an origin (or origin and path prefix), no trailing slash. */
  apiBase: string
}

export const defaultConfig: RuntimeConfig = { apiBase: '' }

/** Turns whatever config.json held into a config, ignoring what it does not know. */
export function parseConfig(raw: unknown): RuntimeConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return defaultConfig
  const apiBase = (raw as { apiBase?: unknown }).apiBase
  if (typeof apiBase !== 'string') return defaultConfig
  return { apiBase: apiBase.trim().replace(/\/+$/, '').replace(/\/api\/v1$/, '') }
}

/**
 * Reads config.json, giving up quietly: a host without one may answer 404, or (a
 * single-page-app fallback) index.html, and either means the defaults.
 */
export async function loadConfig(url = `${import.meta.env.BASE_URL}config.json`, timeoutMs = 3000): Promise<RuntimeConfig> {
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(), timeoutMs)
  try {
    const res = await fetch(url, { cache: 'no-store', signal: ctrl.signal, credentials: 'same-origin' })
    if (!res.ok) return defaultConfig
    return parseConfig(JSON.parse(await res.text()))
  } catch {
    return defaultConfig
  } finally {
    clearTimeout(timer)
  }
}
