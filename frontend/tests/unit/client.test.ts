// @vitest-environment node
// The API client against a real HTTP server on 127.0.0.1 (node:http), not a mocked
// fetch: tokens, refresh before expiry and after a 401, problems, ETags, failures.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiClient, type ExpiryReason } from '../../src/api/client'
import { ApiError, NetworkError, SessionExpiredError } from '../../src/api/errors'
import { type StoredTokens, localStorageTokens, memoryTokens } from '../../src/api/tokens'

interface Seen {
  method: string
  url: string
  auth?: string
  ifNoneMatch?: string
  body?: string
}

/** A tiny stand-in for the WatchDog API with real token rotation. */
class FakeApi {
  server!: http.Server
  base = ''
  seen: Seen[] = []
  access = new Set<string>()
  refresh = new Set<string>()
  /** Each refresh token's login: a refresh hands its successor the same one. */
  family = new Map<string, number>()
  expiresIn = 900
  refreshCalls = 0
  refreshDelayMs = 0
  logoutDelayMs = 0
  logoutStatus = 204
  /** Bumped to change the /stats answer (and its ETag). */
  statsVersion = 1
  private n = 0

  issue(family = this.n + 1) {
    const a = `access-${++this.n}`
    const r = `refresh-${this.n}`
    this.access.add(a)
    this.refresh.add(r)
    this.family.set(r, family)
    return { access_token: a, refresh_token: r, token_type: 'Bearer', expires_in: this.expiresIn }
  }

  async start() {
    this.server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => void this.handle(req, res, body))
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v1`
  }

  stop() {
    return new Promise<void>((r) => {
      this.server.closeAllConnections()
      this.server.close(() => r())
    })
  }

  private send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    const problem = status >= 400 && !headers['Content-Type']
    res.writeHead(status, {
      'Content-Type': problem ? 'application/problem+json' : 'application/json',
      ...headers,
    })
    res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  }

  private problem(status: number, slug: string, detail: string, errors?: { field: string; message: string }[]) {
    return { type: `urn:watchdog:problem:${slug}`, title: slug, status, detail, errors, request_id: 'r1' }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://x')
    const auth = req.headers.authorization
    this.seen.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      auth,
      ifNoneMatch: req.headers['if-none-match'],
      body,
    })
    const path = url.pathname.replace(/^\/api\/v1/, '')

    if (path === '/auth/login' && req.method === 'POST') {
      const { username, password, otp } = JSON.parse(body) as { username: string; password: string; otp?: string }
      if (username === 'twofa' && password === 'pw') {
        if (!otp) return this.send(res, 401, this.problem(401, 'otp-required', 'a two-factor code is required'))
        if (otp !== '123456') return this.send(res, 401, this.problem(401, 'invalid-otp', 'wrong or already used two-factor code'))
        return this.send(res, 200, this.issue())
      }
      if (username === 'slow') return this.send(res, 429, this.problem(429, 'rate-limited', 'slow down'), { 'Retry-After': '42', 'Content-Type': 'application/problem+json' })
      if (username !== 'admin' || password !== 'pw') return this.send(res, 401, this.problem(401, 'invalid-credentials', 'wrong username or password'))
      return this.send(res, 200, this.issue())
    }
    if (path === '/auth/refresh' && req.method === 'POST') {
      this.refreshCalls++
      if (this.refreshDelayMs) await new Promise((r) => setTimeout(r, this.refreshDelayMs))
      const { refresh_token } = JSON.parse(body) as { refresh_token: string }
      if (!this.refresh.delete(refresh_token)) return this.send(res, 401, this.problem(401, 'unauthorized', 'invalid refresh token'))
      return this.send(res, 200, this.issue(this.family.get(refresh_token)))
    }
    if (path === '/auth/logout' && req.method === 'POST') {
      if (this.logoutDelayMs) await new Promise((r) => setTimeout(r, this.logoutDelayMs))
      if (res.destroyed) return
      if (this.logoutStatus !== 204) return this.send(res, this.logoutStatus, this.problem(this.logoutStatus, 'internal', 'boom'))
      // Like the real one: the whole login ends, whether or not the token was known.
      const { refresh_token } = JSON.parse(body) as { refresh_token: string }
      const family = this.family.get(refresh_token)
      for (const [r, f] of this.family) if (f === family) this.refresh.delete(r)
      res.writeHead(204)
      return res.end()
    }
    const token = auth?.replace(/^Bearer /, '') ?? ''
    if (!this.access.has(token)) {
      return this.send(res, 401, this.problem(401, 'unauthorized', 'invalid or expired token'), {
        'WWW-Authenticate': 'Bearer realm="watchdog"',
        'Content-Type': 'application/problem+json',
      })
    }
    if (path === '/auth/password' && req.method === 'POST') {
      const { current_password } = JSON.parse(body) as { current_password: string; new_password: string }
      if (current_password !== 'pw') {
        return this.send(res, 422, this.problem(422, 'validation', 'current_password: is not your current password', [
          { field: 'current_password', message: 'is not your current password' },
        ]))
      }
      // Like the real one: every token issued before, the caller's included, is dead.
      this.access.clear()
      this.refresh.clear()
      return this.send(res, 200, this.issue())
    }
    if (path === '/stats') {
      const tag = `"stats-v${this.statsVersion}"`
      if (req.headers['if-none-match'] === tag) {
        res.writeHead(304, { ETag: tag })
        return res.end()
      }
      const total = 2 + this.statsVersion
      return this.send(res, 200, { total, active: total - 1, paused: 1, up: 1, down: total - 2, unknown: 0 }, { ETag: tag })
    }
    if (path === '/targets' && req.method === 'POST') {
      return this.send(
        res,
        422,
        this.problem(422, 'validation', 'url: must be an absolute http or https URL', [
          { field: 'url', message: 'must be an absolute http or https URL' },
          { field: 'interval_seconds', message: 'must be between 30 and 86400' },
        ]),
      )
    }
    if (path === '/targets' && req.method === 'GET') {
      return this.send(res, 200, { items: [], total: 0, limit: Number(url.searchParams.get('limit') ?? 50), offset: 0 })
    }
    if (path === '/targets/7' && req.method === 'DELETE') {
      res.writeHead(204)
      return res.end()
    }
    if (path === '/targets/hang') {
      return // never answers
    }
    if (path === '/targets/502') {
      return this.send(res, 502, '<html>Bad gateway</html>', { 'Content-Type': 'text/html' })
    }
    return this.send(res, 404, this.problem(404, 'not-found', 'no such resource'))
  }
}

const api = new FakeApi()
beforeAll(() => api.start())
afterAll(() => api.stop())
beforeEach(() => {
  api.seen = []
  api.refreshCalls = 0
  api.refreshDelayMs = 0
  api.logoutDelayMs = 0
  api.logoutStatus = 204
  api.expiresIn = 900
  api.statsVersion = 1
})

function client(tokens: StoredTokens | null, extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
  const expired: ExpiryReason[] = []
  const reach: boolean[] = []
  const store = memoryTokens(tokens)
  const c = new ApiClient({
    baseUrl: api.base,
    tokens: store,
    refreshJitterMs: 0,
    locks: null,
    leaseStorage: null,
    onSessionExpired: (r) => expired.push(r),
    onReachability: (ok) => reach.push(ok),
    ...extra,
  })
  return { c, store, expired, reach }
}

function freshTokens(lifeMs = 900_000): StoredTokens {
  const pair = api.issue()
  const now = Date.now()
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token, expiresAt: now + lifeMs, issuedAt: now }
}

describe('ApiClient', () => {
  let opened: ApiClient[] = []
  afterEach(() => {
    for (const c of opened) c.stopRefreshTimer()
    opened = []
  })

  it('logs in, keeps the pair, and sends the bearer token', async () => {
    const { c, store } = client(null)
    opened.push(c)
    await c.login('admin', 'pw')
    const t = store.get()!
    expect(t.accessToken).toMatch(/^access-/)
    expect(t.expiresAt - Date.now()).toBeGreaterThan(890_000)
    const stats = await c.get('/stats')
    expect(stats.total).toBe(3)
    expect(api.seen.at(-1)!.auth).toBe(`Bearer ${t.accessToken}`)
  })

  it('fills path parameters and leaves empty query parameters out', async () => {
    const { c } = client(freshTokens())
    await c.get('/targets', { query: { limit: 25, offset: 0, q: '', status: 'down', tag: undefined } })
    expect(api.seen.at(-1)!.url).toBe('/api/v1/targets?limit=25&offset=0&status=down')
    await expect(c.delete('/targets/{id}', { path: { id: 7 } })).resolves.toBeUndefined()
    expect(api.seen.at(-1)!.url).toBe('/api/v1/targets/7')
  })

  it('says why a login failed: 401, and 429 with Retry-After', async () => {
    const { c, expired } = client(null)
    const wrong = await c.login('admin', 'nope').catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(ApiError)
    expect(wrong).not.toBeInstanceOf(SessionExpiredError)
    expect((wrong as ApiError).status).toBe(401)
    expect((wrong as ApiError).slug).toBe('invalid-credentials')
    const limited = (await c.login('slow', 'x').catch((e: unknown) => e)) as ApiError
    expect(limited.status).toBe(429)
    expect(limited.retryAfter).toBe(42)
    expect(expired).toEqual([])
  })

  it('logs in with a two-factor code: otp-required without one, invalid-otp for a wrong one', async () => {
    const { c, store } = client(null)
    opened.push(c)
    const missing = (await c.login('twofa', 'pw').catch((e: unknown) => e)) as ApiError
    expect(missing.status).toBe(401)
    expect(missing.slug).toBe('otp-required')
    expect(JSON.parse(api.seen.at(-1)!.body!)).toEqual({ username: 'twofa', password: 'pw' })
    const wrong = (await c.login('twofa', 'pw', '000000').catch((e: unknown) => e)) as ApiError
    expect(wrong.slug).toBe('invalid-otp')
    expect(store.get()).toBeNull()
    await c.login('twofa', 'pw', '123456')
    expect(JSON.parse(api.seen.at(-1)!.body!)).toEqual({ username: 'twofa', password: 'pw', otp: '123456' })
    expect(store.get()!.accessToken).toMatch(/^access-/)
  })

  it('keeps the fresh pair a password change answers with: the session goes on, the old pair is dead', async () => {
    const t = freshTokens()
    const { c, store, expired } = client(t)
    opened.push(c)
    await c.changePassword('pw', 'a new long password')
    const sent = api.seen.at(-1)!
    expect(sent.url).toBe('/api/v1/auth/password')
    expect(sent.auth).toBe(`Bearer ${t.accessToken}`)
    expect(JSON.parse(sent.body!)).toEqual({ current_password: 'pw', new_password: 'a new long password' })
    const now = store.get()!
    expect(now.accessToken).not.toBe(t.accessToken)
    expect(now.refreshToken).not.toBe(t.refreshToken)
    expect(api.access.has(t.accessToken)).toBe(false)
    // The next call goes out with the new token, no refresh needed.
    await c.get('/stats')
    expect(api.seen.at(-1)!.auth).toBe(`Bearer ${now.accessToken}`)
    expect(api.refreshCalls).toBe(0)
    expect(expired).toEqual([])
  })

  it('names a wrong current password and keeps the session as it was', async () => {
    const t = freshTokens()
    const { c, store, expired } = client(t)
    opened.push(c)
    const err = (await c.changePassword('nope', 'a new long password').catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.messagesFor('current_password')).toEqual(['is not your current password'])
    expect(store.get()!.accessToken).toBe(t.accessToken)
    expect(expired).toEqual([])
  })

  it('refreshes about a minute before the access token expires, then uses the new one', async () => {
    const old = freshTokens(30_000) // 30 s left: inside the minute
    const { c, store } = client({ ...old, issuedAt: Date.now() - 870_000 })
    await c.get('/stats')
    expect(api.refreshCalls).toBe(1)
    const now = store.get()!
    expect(now.accessToken).not.toBe(old.accessToken)
    expect(api.seen.map((s) => s.url)).toEqual(['/api/v1/auth/refresh', '/api/v1/stats'])
    expect(api.seen.at(-1)!.auth).toBe(`Bearer ${now.accessToken}`)
  })

  it('does not refresh a token with time left', async () => {
    const { c } = client(freshTokens(600_000))
    await c.get('/stats')
    await c.get('/stats')
    expect(api.refreshCalls).toBe(0)
  })

  it('follows the clock it is given', async () => {
    let clock = Date.now()
    const t = freshTokens(900_000)
    const { c } = client(t, { now: () => clock })
    await c.get('/stats')
    expect(api.refreshCalls).toBe(0)
    clock += 845_000 // 55 s before expiry
    await c.get('/stats')
    expect(api.refreshCalls).toBe(1)
  })

  it('renews on a timer while idle, about a minute (at most half the life) before expiry', async () => {
    api.expiresIn = 1 // a 1 s token is renewed after 0.5 s
    const { c, store } = client(null)
    opened.push(c)
    await c.login('admin', 'pw')
    const first = store.get()!.accessToken
    await vi.waitFor(() => expect(api.refreshCalls).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 50 })
    // The request reaching the server comes before the client stores its answer.
    await vi.waitFor(() => expect(store.get()!.accessToken).not.toBe(first), { timeout: 3000, interval: 20 })
  })

  it('renews on the timer a random moment later, so tabs do not all refresh at once, never past expiry', async () => {
    api.expiresIn = 2 // planned at 1 s; jitter at most half the last second
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999)
    try {
      const { c, store } = client(null, { refreshJitterMs: 5000 })
      opened.push(c)
      await c.login('admin', 'pw')
      const first = store.get()!.accessToken
      await new Promise((r) => setTimeout(r, 1200))
      expect(api.refreshCalls).toBe(0) // planned for 1 s, put off by ~0.5 s
      await vi.waitFor(() => expect(store.get()!.accessToken).not.toBe(first), { timeout: 3000, interval: 20 })
      expect(store.get()!.expiresAt).toBeGreaterThan(Date.now())
    } finally {
      random.mockRestore()
    }
  })

  it('after a 401 refreshes once and repeats the request', async () => {
    const t = freshTokens()
    api.access.delete(t.accessToken) // the server forgot it (restart, rotation elsewhere)
    const { c, store, expired } = client(t)
    const stats = await c.get('/stats')
    expect(stats.up).toBe(1)
    expect(api.refreshCalls).toBe(1)
    expect(api.seen.map((s) => s.url)).toEqual(['/api/v1/stats', '/api/v1/auth/refresh', '/api/v1/stats'])
    expect(store.get()!.accessToken).not.toBe(t.accessToken)
    expect(expired).toEqual([])
  })

  it('spends the refresh token once for many requests refused together', async () => {
    const t = freshTokens()
    api.access.delete(t.accessToken)
    api.refreshDelayMs = 50
    const { c } = client(t)
    const all = await Promise.all([c.get('/stats'), c.get('/stats'), c.get('/targets'), c.get('/stats')])
    expect(all).toHaveLength(4)
    expect(api.refreshCalls).toBe(1)
  })

  it('gives up when the refresh token is dead too: tokens gone, session expired once', async () => {
    const { c, store, expired } = client({ accessToken: 'garbage', refreshToken: 'garbage', expiresAt: Date.now() + 600_000 })
    const err = await c.get('/stats').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SessionExpiredError)
    expect((err as ApiError).status).toBe(401)
    expect(store.get()).toBeNull()
    expect(expired).toEqual(['rejected'])
    expect(api.refreshCalls).toBe(1)
    // Nothing more is sent once the session is over.
    api.seen = []
    await expect(c.get('/stats')).rejects.toBeInstanceOf(SessionExpiredError)
    expect(api.seen).toEqual([])
    expect(expired).toEqual(['rejected', 'missing'])
  })

  it('gives up when the repeated request is refused again, without a second refresh', async () => {
    const t = freshTokens()
    api.access.delete(t.accessToken)
    const { c, expired } = client(t, {
      // A server that refuses even the fresh token.
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (String(input).endsWith('/stats')) {
          return new Response(JSON.stringify({ type: 'urn:watchdog:problem:unauthorized', title: 'Unauthorized', status: 401 }), {
            status: 401,
            headers: { 'Content-Type': 'application/problem+json' },
          })
        }
        return res
      },
    })
    await expect(c.get('/stats')).rejects.toBeInstanceOf(SessionExpiredError)
    expect(api.refreshCalls).toBe(1)
    expect(expired).toEqual(['rejected'])
  })

  it('turns a problem document into an ApiError with the field list', async () => {
    const { c } = client(freshTokens())
    const err = (await c.post('/targets', { body: { url: 'ftp://x' } }).catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.slug).toBe('validation')
    expect(err.fields).toEqual([
      { field: 'url', message: 'must be an absolute http or https URL' },
      { field: 'interval_seconds', message: 'must be between 30 and 86400' },
    ])
    expect(err.messagesFor('url')).toEqual(['must be an absolute http or https URL'])
    expect(err.problem.request_id).toBe('r1')
    expect(JSON.parse(api.seen.at(-1)!.body!)).toEqual({ url: 'ftp://x' })
  })

  it('reads a 404 problem', async () => {
    const { c } = client(freshTokens())
    const err = (await c.get('/targets/{id}', { path: { id: 999 } }).catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(404)
    expect(err.slug).toBe('not-found')
    expect(err.message).toBe('no such resource')
  })

  it('revalidates with the ETag and hands back the same object on 304', async () => {
    const { c } = client(freshTokens())
    const first = await c.get('/stats', { cache: true })
    expect(api.seen.at(-1)!.ifNoneMatch).toBeUndefined()
    const second = await c.get('/stats', { cache: true })
    expect(api.seen.at(-1)!.ifNoneMatch).toBe('"stats-v1"')
    expect(second).toBe(first)
    // Without cache: no If-None-Match, a fresh object.
    const third = await c.get('/stats')
    expect(api.seen.at(-1)!.ifNoneMatch).toBeUndefined()
    expect(third).not.toBe(first)
    expect(third).toEqual(first)
  })

  it('keeps the previous data through 304s (no body), and takes a changed answer', async () => {
    // The OpenAPI document lists no 304 and no If-None-Match parameter: conditional
    // requests are the wrapper's business, and a 304 must never reach a caller as data.
    const { c } = client(freshTokens())
    const first = await c.get('/stats', { cache: true })
    expect(first).toMatchObject({ total: 3 })
    for (let i = 0; i < 3; i++) {
      const again = await c.get('/stats', { cache: true })
      expect(api.seen.at(-1)!.ifNoneMatch).toBe('"stats-v1"')
      expect(again).toBe(first)
      expect(again).toMatchObject({ total: 3 })
    }
    api.statsVersion = 2
    const changed = await c.get('/stats', { cache: true })
    expect(api.seen.at(-1)!.ifNoneMatch).toBe('"stats-v1"')
    expect(changed).not.toBe(first)
    expect(changed).toMatchObject({ total: 4 })
    // The new ETag is the one sent from then on, and its 304 keeps the new data.
    const kept = await c.get('/stats', { cache: true })
    expect(api.seen.at(-1)!.ifNoneMatch).toBe('"stats-v2"')
    expect(kept).toBe(changed)
  })

  it('reports an unreachable API, and a gateway error, as NetworkError', async () => {
    const { c, reach } = client(freshTokens())
    await expect(c.get('/targets/{id}', { path: { id: 502 } })).rejects.toBeInstanceOf(NetworkError)
    expect(reach.at(-1)).toBe(false)
    await c.get('/stats')
    expect(reach.at(-1)).toBe(true)

    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const down = new ApiClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, tokens: memoryTokens(freshTokens()), onReachability: (ok) => reach.push(ok) })
    await expect(down.get('/stats')).rejects.toBeInstanceOf(NetworkError)
    expect(reach.at(-1)).toBe(false)
  })

  it('does not end the session when the refresh cannot reach the API', async () => {
    const t = freshTokens(20_000)
    let refuse = true
    const { c, store, expired } = client({ ...t, issuedAt: Date.now() - 880_000 }, {
      fetch: (input, init) =>
        refuse && String(input).endsWith('/auth/refresh') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
    })
    // The old token still works: the request goes on with it.
    await expect(c.get('/stats')).resolves.toMatchObject({ total: 3 })
    expect(store.get()!.accessToken).toBe(t.accessToken)
    expect(expired).toEqual([])
    refuse = false
    await c.get('/stats')
    expect(store.get()!.accessToken).not.toBe(t.accessToken)
  })

  it('sends nothing without a session, and says so', async () => {
    const { c, expired } = client(null)
    await expect(c.get('/stats')).rejects.toBeInstanceOf(SessionExpiredError)
    expect(api.seen).toEqual([])
    expect(expired).toEqual(['missing'])
  })

  it('forgets tokens and cached answers on logout', async () => {
    const { c, store } = client(freshTokens())
    await c.get('/stats', { cache: true })
    await c.logout()
    expect(store.get()).toBeNull()
    await c.login('admin', 'pw')
    await c.get('/stats', { cache: true })
    expect(api.seen.at(-1)!.ifNoneMatch).toBeUndefined()
    c.stopRefreshTimer()
  })

  it('gives up on a request that hangs: NetworkError after the timeout', async () => {
    const { c, reach } = client(freshTokens(), { requestTimeoutMs: 200 })
    const t0 = Date.now()
    const err = await c.get('/targets/{id}', { path: { id: 'hang' as unknown as number } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(reach.at(-1)).toBe(false)
    // The caller's own abort is still an abort, not an outage.
    const abort = new AbortController()
    const pending = c.get('/targets/{id}', { path: { id: 'hang' as unknown as number }, signal: abort.signal }).catch((e: unknown) => e)
    abort.abort()
    const aborted = await pending
    expect(aborted).not.toBeInstanceOf(NetworkError)
    expect((aborted as Error).name).toBe('AbortError')
  })

  describe('without Web Locks (plain HTTP)', () => {
    /** One localStorage shared by two "tabs". */
    function sharedStorage(): Storage {
      const m = new Map<string, string>()
      return {
        get length() {
          return m.size
        },
        key: (i: number) => [...m.keys()][i] ?? null,
        getItem: (k: string) => m.get(k) ?? null,
        setItem: (k: string, v: string) => void m.set(k, String(v)),
        removeItem: (k: string) => void m.delete(k),
        clear: () => m.clear(),
      }
    }

    function tab(storage: Storage) {
      const c = new ApiClient({
        baseUrl: api.base,
        tokens: localStorageTokens('watchdog.auth', storage),
        refreshJitterMs: 0,
        locks: null,
        leaseStorage: storage,
      })
      opened.push(c)
      return c
    }

    it('lets only one tab spend the refresh token; the other picks up its pair', async () => {
      const storage = sharedStorage()
      const t = freshTokens()
      localStorageTokens('watchdog.auth', storage).set(t)
      api.access.delete(t.accessToken)
      api.refreshDelayMs = 50
      const a = tab(storage)
      const b = tab(storage)
      const [sa, sb] = await Promise.all([a.get('/stats'), b.get('/stats')])
      expect(sa.total).toBe(3)
      expect(sb.total).toBe(3)
      expect(api.refreshCalls).toBe(1)
      expect(api.seen.filter((s) => s.url === '/api/v1/auth/refresh')).toHaveLength(1)
      const now = localStorageTokens('watchdog.auth', storage).get()!
      expect(now.accessToken).not.toBe(t.accessToken)
      expect(storage.getItem('watchdog-token-refresh.lease')).toBeNull()
    })

    it('takes over a lease its owner left behind once it has run out', async () => {
      const storage = sharedStorage()
      const t = freshTokens()
      localStorageTokens('watchdog.auth', storage).set(t)
      storage.setItem('watchdog-token-refresh.lease', JSON.stringify({ owner: 'gone', until: Date.now() + 300 }))
      await expect(tab(storage).refresh(t)).resolves.toBe('refreshed')
      expect(api.refreshCalls).toBe(1)
    })
  })

  describe('logout', () => {
    /** Whether the API still takes this refresh token (spends it if so). */
    async function refreshWorks(refreshToken: string): Promise<number> {
      const res = await fetch(`${api.base}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      })
      await res.body?.cancel()
      return res.status
    }

    it('ends the login on the server with the stored refresh token, then forgets the tokens', async () => {
      const { c, store, expired } = client(null)
      opened.push(c)
      await c.login('admin', 'pw')
      const first = store.get()!
      // Rotate once: logout must end the whole login, not just the latest token.
      api.access.delete(first.accessToken)
      await c.get('/stats')
      const current = store.get()!
      expect(current.refreshToken).not.toBe(first.refreshToken)
      api.seen = []

      await c.logout()
      expect(api.seen).toHaveLength(1)
      const call = api.seen[0]!
      expect(call.method).toBe('POST')
      expect(call.url).toBe('/api/v1/auth/logout')
      expect(call.auth).toBeUndefined()
      expect(JSON.parse(call.body!)).toEqual({ refresh_token: current.refreshToken })
      expect(store.get()).toBeNull()
      expect(expired).toEqual([])
      expect(await refreshWorks(current.refreshToken)).toBe(401)
      expect(await refreshWorks(first.refreshToken)).toBe(401)
      // Nothing is renewed or sent afterwards.
      await expect(c.get('/stats')).rejects.toBeInstanceOf(SessionExpiredError)
    })

    it('leaves another login alone', async () => {
      const other = freshTokens()
      const { c } = client(freshTokens())
      await c.logout()
      expect(await refreshWorks(other.refreshToken)).toBe(200)
    })

    it('sends nothing without tokens', async () => {
      const { c, store } = client(null)
      await c.logout()
      expect(api.seen).toEqual([])
      expect(store.get()).toBeNull()
    })

    it('forgets the tokens even when the API refuses', async () => {
      api.logoutStatus = 500
      const { c, store, expired } = client(freshTokens())
      await expect(c.logout()).resolves.toBeUndefined()
      expect(api.seen.map((s) => s.url)).toEqual(['/api/v1/auth/logout'])
      expect(store.get()).toBeNull()
      expect(expired).toEqual([])
    })

    it('forgets the tokens even when the API cannot be reached', async () => {
      const reach: boolean[] = []
      const { c, store } = client(freshTokens(), {
        fetch: () => Promise.reject(new TypeError('fetch failed')),
        onReachability: (ok) => reach.push(ok),
      })
      await expect(c.logout()).resolves.toBeUndefined()
      expect(store.get()).toBeNull()
      expect(reach).toEqual([false])
    })

    it('waits at most its timeout for a slow API', async () => {
      api.logoutDelayMs = 3000
      const { c, store } = client(freshTokens())
      const t0 = Date.now()
      await c.logout(200)
      const took = Date.now() - t0
      expect(took).toBeGreaterThanOrEqual(150)
      expect(took).toBeLessThan(1500)
      expect(api.seen.map((s) => s.url)).toEqual(['/api/v1/auth/logout'])
      expect(store.get()).toBeNull()
    })

    it('does not let a refresh that was under way bring the tokens back', async () => {
      const t = freshTokens()
      api.access.delete(t.accessToken)
      api.refreshDelayMs = 150
      api.logoutStatus = 500 // so the refresh itself succeeds, late
      const { c, store, expired } = client(t)
      const pending = c.get('/stats').catch((e: unknown) => e)
      await vi.waitFor(() => expect(api.refreshCalls).toBe(1), { timeout: 2000, interval: 10 })
      await c.logout()
      expect(store.get()).toBeNull()
      expect(await pending).toBeInstanceOf(SessionExpiredError)
      expect(api.refresh.has(t.refreshToken)).toBe(false) // it was spent…
      expect(store.get()).toBeNull() // …but its pair is not kept
      expect(expired).toEqual([])
    })
  })
})
