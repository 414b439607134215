// The thin typed client every API call goes through. Paths, parameters, bodies and
// answers are typed by the generated OpenAPI schema (schema.d.ts); this file adds
// what the schema cannot: the base URL, the bearer token, refreshing it before it
// expires and once after a 401, ETag revalidation for pollers, and problem answers
// turned into typed errors. Conditional requests live here only: the document marks
// the GETs that take them (x-conditional) but lists no If-None-Match parameter and no
// 304, so the wrapper sends the header and turns a 304 into the data it already has.
import type { paths } from './schema'
import { ApiError, NetworkError, SessionExpiredError, isGatewayFailure, parseRetryAfter, readProblem } from './errors'
import { type StoredTokens, type TokenStore, fromPair } from './tokens'

type Method = 'get' | 'post' | 'patch' | 'delete'

/** Paths under /api/v1 (the probes /healthz and /readyz live at the server's root). */
type ApiPath = Exclude<keyof paths, '/healthz' | '/readyz'>

/** The paths that take a method. */
export type PathsWith<M extends Method> = {
  [P in ApiPath]: paths[P][M] extends { responses: unknown } ? P : never
}[ApiPath]

type Params<O> = O extends { parameters: infer X } ? X : object
type PathParams<O> = Params<O> extends { path: infer X } ? X : never
type QueryParams<O> = Params<O> extends { query?: infer X } ? X : never

type PathOpt<O> = [PathParams<O>] extends [never] ? { path?: never } : { path: PathParams<O> }
type QueryOpt<O> = [QueryParams<O>] extends [never]
  ? { query?: never }
  : Params<O> extends { query: unknown }
    ? { query: QueryParams<O> }
    : { query?: QueryParams<O> }
type BodyOpt<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? { body: B }
  : { body?: never }

interface CommonOpts {
  signal?: AbortSignal
  /**
   * Revalidate with the last answer's ETag: an unchanged answer (304) resolves to the
   * very same object as last time, so callers can skip re-rendering with `===`.
   */
  cache?: boolean
}

/** What request() reads from any operation's options. */
type CallOpts = CommonOpts & { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown }

export type RequestOpts<O> = PathOpt<O> & QueryOpt<O> & BodyOpt<O> & CommonOpts
type Args<O> = object extends RequestOpts<O> ? [opts?: RequestOpts<O>] : [opts: RequestOpts<O>]

type JsonOf<R> = R extends { content: { 'application/json': infer D } } ? D : undefined
/** The JSON of an operation's success answer (200 or 201), or undefined (204). */
export type DataOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : undefined
  : never

export type Op<P extends ApiPath, M extends Method> = paths[P][M]

export type RefreshOutcome = 'refreshed' | 'rejected' | 'unreachable'
export type ExpiryReason = 'rejected' | 'missing'

export interface ClientOptions {
  /** The API root, e.g. "/api/v1" or "https://watchdog.example.com/api/v1". */
  baseUrl: string
  tokens: TokenStore
  fetch?: typeof fetch
  /** The clock, in ms since the epoch (tests move it). */
  now?: () => number
  /** How long before expiry the access token is renewed; at most half its life. */
  refreshLeadMs?: number
  /** Called once when the session is over and the user must log in again. */
  onSessionExpired?: (reason: ExpiryReason) => void
  /** Called after every request: whether the API answered at all. */
  onReachability?: (reachable: boolean) => void
  /** How many ETagged answers to remember. */
  etagCacheSize?: number
  /** How long one request may take before it counts as unreachable (ms). */
  requestTimeoutMs?: number
  /**
   * Up to how much later than planned the timer renews the token (ms, random), so
   * tabs opened together do not all refresh at the same instant. Never past expiry.
   */
  refreshJitterMs?: number
  /**
   * The cross-tab lock for spending the refresh token. Defaults to navigator.locks;
   * null means none (plain-HTTP origins have no Web Locks), and then a lease in
   * `leaseStorage` (default localStorage) stands in.
   */
  locks?: Pick<LockManager, 'request'> | null
  leaseStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
}

interface CacheEntry {
  etag: string
  data: unknown
}

const JSON_ACCEPT = 'application/json, application/problem+json'
const REFRESH_RETRY_MS = 15_000
const LOGOUT_TIMEOUT_MS = 2_000
const REQUEST_TIMEOUT_MS = 15_000
const REFRESH_JITTER_MS = 5_000
const REFRESH_LOCK = 'watchdog-token-refresh'

export class ApiClient {
  readonly baseUrl: string
  private readonly tokens: TokenStore
  private readonly fetchFn: typeof fetch
  private readonly now: () => number
  private readonly leadMs: number
  private readonly onExpired?: (reason: ExpiryReason) => void
  private readonly onReach?: (reachable: boolean) => void
  private readonly etags = new Map<string, CacheEntry>()
  private readonly etagLimit: number
  private readonly timeoutMs: number
  private readonly jitterMs: number
  private readonly locks: Pick<LockManager, 'request'> | null
  private readonly leaseStorage: LeaseStorage | null
  private refreshing: Promise<RefreshOutcome> | null = null
  /** Bumped by login and logout: a call begun before either must not store or end a session after it. */
  private generation = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(o: ClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '')
    this.tokens = o.tokens
    // Looked up at call time, so a test or polyfill that replaces fetch is honoured.
    this.fetchFn = o.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.now = o.now ?? Date.now
    this.leadMs = o.refreshLeadMs ?? 60_000
    this.onExpired = o.onSessionExpired
    this.onReach = o.onReachability
    this.etagLimit = o.etagCacheSize ?? 200
    this.timeoutMs = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    this.jitterMs = o.refreshJitterMs ?? REFRESH_JITTER_MS
    this.locks = o.locks !== undefined ? o.locks : defaultLocks()
    this.leaseStorage = o.leaseStorage !== undefined ? o.leaseStorage : defaultLeaseStorage()
  }

  get<P extends PathsWith<'get'>>(path: P, ...args: Args<Op<P, 'get'>>): Promise<DataOf<Op<P, 'get'>>> {
    return this.request('GET', path, args[0] as CallOpts | undefined) as Promise<DataOf<Op<P, 'get'>>>
  }

  post<P extends PathsWith<'post'>>(path: P, ...args: Args<Op<P, 'post'>>): Promise<DataOf<Op<P, 'post'>>> {
    return this.request('POST', path, args[0] as CallOpts | undefined) as Promise<DataOf<Op<P, 'post'>>>
  }

  patch<P extends PathsWith<'patch'>>(path: P, ...args: Args<Op<P, 'patch'>>): Promise<DataOf<Op<P, 'patch'>>> {
    return this.request('PATCH', path, args[0] as CallOpts | undefined) as Promise<DataOf<Op<P, 'patch'>>>
  }

  delete<P extends PathsWith<'delete'>>(path: P, ...args: Args<Op<P, 'delete'>>): Promise<DataOf<Op<P, 'delete'>>> {
    return this.request('DELETE', path, args[0] as CallOpts | undefined) as Promise<DataOf<Op<P, 'delete'>>>
  }

  /** Whether there are tokens at all (they may still turn out to be dead). */
  hasSession(): boolean {
    return this.tokens.get() !== null
  }

  /**
   * Logs in and keeps the tokens; an ApiError (401, 429 with retryAfter) otherwise. A
   * user with two-factor login also sends `otp` (the app's code or a recovery code);
   * without it the 401's problem type ends in "otp-required", a wrong one in "invalid-otp".
   */
  async login(username: string, password: string, otp?: string): Promise<void> {
    const body: RequestOpts<Op<'/auth/login', 'post'>>['body'] = { username, password }
    if (otp) body.otp = otp
    const pair = await this.send<DataOf<Op<'/auth/login', 'post'>>>('POST', this.url('/auth/login'), { body })
    this.generation++
    this.etags.clear()
    this.tokens.set(fromPair(pair, this.now()))
    this.scheduleRefresh()
  }

  /**
   * Changes the password and keeps the fresh pair the API answers with: every token
   * issued before it, this session's included, is dead from then on. It runs under the
   * refresh lock, so neither this tab nor another spends a refresh token meanwhile (that
   * would be refused, and end the session everywhere); a tab holding the old pair then
   * finds the new one in storage. Errors as for any call: 422 naming current_password
   * or new_password, 429 with retryAfter.
   */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const body: RequestOpts<Op<'/auth/password', 'post'>>['body'] = {
      current_password: currentPassword,
      new_password: newPassword,
    }
    const generation = this.generation
    let tokens = this.tokens.get()
    if (tokens && this.now() >= this.refreshAt(tokens)) {
      // About to run out: renew first (outside the lock, which refresh takes itself).
      if ((await this.refresh(tokens)) === 'rejected') tokens = null
      else tokens = this.tokens.get()
    }
    if (!tokens) {
      this.expire('rejected', generation)
      throw new SessionExpiredError(unauthorized('session expired'))
    }
    this.stopRefreshTimer()
    try {
      await this.withLock(async () => {
        // Another tab may have renewed the pair while this one waited for the lock.
        const current = this.tokens.get() ?? tokens
        const startedAt = this.now()
        const pair = await this.send<DataOf<Op<'/auth/password', 'post'>>>('POST', this.url('/auth/password'), { body }, current)
        // Unless the user logged out meanwhile; and calls begun with the old pair are stale now.
        if (generation !== this.generation) return
        this.generation++
        this.tokens.set(fromPair(pair, startedAt))
      })
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.expire('rejected', generation)
        throw new SessionExpiredError(err.problem)
      }
      throw err
    } finally {
      this.scheduleRefresh()
    }
  }

  /**
   * Ends the login: asks the API to revoke the refresh token (it and every token
   * rotated from it stop working), then forgets the tokens. The call is best effort —
   * an unreachable API, an error or more than `timeoutMs` without an answer does not
   * keep the user logged in here; the access token then simply runs out.
   */
  async logout(timeoutMs = LOGOUT_TIMEOUT_MS): Promise<void> {
    this.stopRefreshTimer()
    const tokens = this.tokens.get()
    if (tokens) {
      const abort = new AbortController()
      const timer = setTimeout(() => abort.abort(), timeoutMs)
      const body: RequestOpts<Op<'/auth/logout', 'post'>>['body'] = { refresh_token: tokens.refreshToken }
      try {
        await this.send<DataOf<Op<'/auth/logout', 'post'>>>('POST', this.url('/auth/logout'), { body, signal: abort.signal })
      } catch {
        // Best effort: the tokens are forgotten all the same.
      } finally {
        clearTimeout(timer)
      }
    }
    this.generation++
    this.stopRefreshTimer()
    this.tokens.clear()
    this.etags.clear()
  }

  /**
   * Spends the refresh token for a new pair, once at a time. `stale` is the pair the
   * caller found wanting: if the stored pair is already another one (a concurrent
   * request or another tab refreshed it), nothing is spent.
   */
  refresh(stale: StoredTokens | null = this.tokens.get()): Promise<RefreshOutcome> {
    if (!this.refreshing) {
      this.refreshing = this.withLock(() => this.doRefresh(stale)).finally(() => {
        this.refreshing = null
      })
    }
    return this.refreshing
  }

  /** Renews the access token about a minute before it runs out, while the page is open. */
  scheduleRefresh(delayOverride?: number): void {
    this.stopRefreshTimer()
    const t = this.tokens.get()
    if (!t) return
    const at = this.refreshAt(t)
    // Random jitter, at most half the time left between the planned renewal and expiry.
    const jitter = Math.random() * Math.min(this.jitterMs, Math.max(0, (t.expiresAt - at) / 2))
    const delay = (delayOverride ?? Math.max(0, at - this.now())) + jitter
    const generation = this.generation
    this.timer = setTimeout(
      async () => {
        const outcome = await this.refresh(t)
        if (outcome === 'rejected') this.expire('rejected', generation)
        else this.scheduleRefresh(outcome === 'unreachable' ? REFRESH_RETRY_MS : undefined)
      },
      Math.min(delay, 2_147_483_647),
    )
  }

  stopRefreshTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The absolute URL of an API path (for links such as the curl example). */
  url(path: string, query?: Record<string, unknown>): string {
    let url = this.baseUrl + path
    if (query) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
      }
      const s = q.toString()
      if (s) url += '?' + s
    }
    return url
  }

  private refreshAt(t: StoredTokens): number {
    // Half the token's remaining life at most, so a short-lived token is not renewed
    // in a loop; the API's tokens live 15 minutes, so this is one minute before.
    const life = Math.max(0, t.expiresAt - (t.issuedAt ?? t.expiresAt - 2 * this.leadMs))
    return t.expiresAt - Math.min(this.leadMs, life / 2)
  }

  private async request(method: string, path: string, opts: CallOpts | undefined): Promise<unknown> {
    const o = opts ?? {}
    const url = this.url(fillPath(path, o.path), o.query)

    const generation = this.generation
    let tokens = this.tokens.get()
    if (!tokens) {
      this.expire('missing')
      throw new SessionExpiredError(unauthorized('not logged in'))
    }
    if (this.now() >= this.refreshAt(tokens)) {
      const outcome = await this.refresh(tokens)
      if (outcome === 'rejected') {
        this.expire('rejected', generation)
        throw new SessionExpiredError(unauthorized('session expired'))
      }
      // Unreachable: go on with the old token; the request will tell.
      tokens = this.tokens.get() ?? tokens
    }
    try {
      return await this.send(method, url, o, tokens)
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err
      // Once after a 401: the token may have been refused for its age alone.
      const outcome = await this.refresh(tokens)
      if (outcome === 'unreachable') throw new NetworkError("Can't reach the WatchDog API")
      const next = this.tokens.get()
      if (outcome === 'refreshed' && next) {
        try {
          return await this.send(method, url, o, next)
        } catch (again) {
          if (!(again instanceof ApiError) || again.status !== 401) throw again
          this.expire('rejected', generation)
          throw new SessionExpiredError(again.problem)
        }
      }
      this.expire('rejected', generation)
      throw new SessionExpiredError(err.problem)
    }
  }

  /** One HTTP exchange: answers the parsed JSON, or throws ApiError / NetworkError. */
  private async send<T>(
    method: string,
    url: string,
    o: CommonOpts & { body?: unknown },
    tokens?: StoredTokens,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: JSON_ACCEPT }
    if (tokens) headers.Authorization = `Bearer ${tokens.accessToken}`
    if (o.body !== undefined) headers['Content-Type'] = 'application/json'
    const cacheable = o.cache === true && method === 'GET'
    const cached = cacheable ? this.etags.get(url) : undefined
    if (cached) headers['If-None-Match'] = cached.etag

    // A hung request (a proxy that never answers) counts as unreachable after a while,
    // so pollers and the banner recover; the caller's own abort stays an abort.
    const { signal, timedOut, done } = withTimeout(o.signal, this.timeoutMs)
    try {
      return await this.exchange<T>(method, url, o, headers, cacheable, cached, signal, timedOut)
    } finally {
      done()
    }
  }

  private async exchange<T>(
    method: string,
    url: string,
    o: CommonOpts & { body?: unknown },
    headers: Record<string, string>,
    cacheable: boolean,
    cached: CacheEntry | undefined,
    signal: AbortSignal,
    timedOut: () => boolean,
  ): Promise<T> {
    let res: Response
    let text: string
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal,
        cache: 'no-store',
        credentials: 'omit',
      })
    } catch (err) {
      if (isAbort(err) && !timedOut()) throw err
      this.onReach?.(false)
      throw new NetworkError("Can't reach the WatchDog API", { cause: err })
    }
    if (isGatewayFailure(res.status, res.headers.get('Content-Type'))) {
      this.onReach?.(false)
      await res.body?.cancel().catch(() => undefined)
      throw new NetworkError(`The WatchDog API is unavailable (HTTP ${res.status})`)
    }
    this.onReach?.(true)

    if (res.status === 304 && cached) {
      // Most recently used last, so the oldest entry is dropped first.
      this.etags.delete(url)
      this.etags.set(url, cached)
      return cached.data as T
    }
    try {
      if (!res.ok) {
        throw new ApiError(res.status, await readProblem(res), parseRetryAfter(res.headers.get('Retry-After')))
      }
      text = res.status === 204 ? '' : await res.text()
    } catch (err) {
      // The body stalled past the timeout.
      if (timedOut() && !(err instanceof ApiError)) {
        this.onReach?.(false)
        throw new NetworkError("Can't reach the WatchDog API", { cause: err })
      }
      throw err
    }
    const data = text ? (JSON.parse(text) as T) : (undefined as T)
    const etag = res.headers.get('ETag')
    if (cacheable && etag) this.remember(url, { etag, data })
    return data
  }

  private remember(url: string, entry: CacheEntry): void {
    this.etags.delete(url)
    this.etags.set(url, entry)
    while (this.etags.size > this.etagLimit) {
      const oldest = this.etags.keys().next().value
      if (oldest === undefined) break
      this.etags.delete(oldest)
    }
  }

  /** Runs fn under a lock shared by every tab of this origin. */
  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locks && typeof this.locks.request === 'function') {
      return this.locks.request(REFRESH_LOCK, fn) as Promise<T>
    }
    if (this.leaseStorage) return withLease(this.leaseStorage, `${REFRESH_LOCK}.lease`, fn)
    return fn()
  }

  private async doRefresh(stale: StoredTokens | null): Promise<RefreshOutcome> {
    const current = this.tokens.get()
    if (!current) return 'rejected'
    if (stale && current.accessToken !== stale.accessToken) return 'refreshed'
    const startedAt = this.now()
    const generation = this.generation
    try {
      const pair = await this.send<DataOf<Op<'/auth/refresh', 'post'>>>('POST', this.url('/auth/refresh'), {
        body: { refresh_token: current.refreshToken },
      })
      if (generation !== this.generation) return 'rejected' // logged out meanwhile
      this.tokens.set(fromPair(pair, startedAt))
      return 'refreshed'
    } catch (err) {
      if (err instanceof NetworkError) return 'unreachable'
      if (err instanceof ApiError && err.status >= 500) return 'unreachable'
      // Refused. Another tab may have spent this refresh token just before us; then
      // the pair it stored is the good one.
      const now = this.tokens.get()
      if (now && now.refreshToken !== current.refreshToken) return 'refreshed'
      return 'rejected'
    }
  }

  /**
   * The session is over: forget it and say so. `since` is the generation the failing call
   * began in; if the user logged out or in since then, that call's news is stale.
   */
  private expire(reason: ExpiryReason, since = this.generation): void {
    if (since !== this.generation) return
    this.stopRefreshTimer()
    this.tokens.clear()
    this.etags.clear()
    this.onExpired?.(reason)
  }
}

function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = params?.[key]
    if (v === undefined || v === null) throw new Error(`missing path parameter ${key} for ${path}`)
    return encodeURIComponent(String(v))
  })
}

function unauthorized(detail: string) {
  return { type: 'urn:watchdog:problem:unauthorized', title: 'Unauthorized', status: 401, detail }
}

/**
 * The caller's signal (if any) combined with a timeout — AbortSignal.any and
 * AbortSignal.timeout by hand, for browsers that predate them (Safari < 17.4).
 * `timedOut` says whether the timeout, not the caller, ended the request.
 */
function withTimeout(caller: AbortSignal | undefined, ms: number) {
  const ctl = new AbortController()
  let fired = false
  const timer = setTimeout(() => {
    fired = true
    ctl.abort(new DOMException('The request timed out', 'TimeoutError'))
  }, ms)
  const onAbort = () => ctl.abort(caller?.reason)
  if (caller?.aborted) onAbort()
  else caller?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: ctl.signal,
    timedOut: () => fired && !caller?.aborted,
    done: () => {
      clearTimeout(timer)
      caller?.removeEventListener('abort', onAbort)
    },
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError'
}

type LeaseStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

interface Lease {
  owner: string
  until: number
}

/** How long a lease lasts: longer than one refresh request may take. */
const LEASE_MS = REQUEST_TIMEOUT_MS + 5_000
/** How long a claim must stand unchallenged before it counts. */
const LEASE_SETTLE_MS = 100

function defaultLocks(): Pick<LockManager, 'request'> | null {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  return locks && typeof locks.request === 'function' ? locks : null
}

function defaultLeaseStorage(): LeaseStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null // storage disabled
  }
}

function readLease(storage: LeaseStorage, key: string): Lease | null {
  try {
    const raw = storage.getItem(key)
    if (!raw) return null
    const v = JSON.parse(raw) as Partial<Lease>
    return typeof v.owner === 'string' && typeof v.until === 'number' ? { owner: v.owner, until: v.until } : null
  } catch {
    return null
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * A lock across tabs without Web Locks: a lease in localStorage. Claim it when free
 * (or expired), wait a moment, and read it back — the last writer wins, and only it
 * goes on. The others wait for it to finish; fn then re-reads the tokens and finds
 * the pair the owner stored, so nothing is spent twice.
 */
async function withLease<T>(storage: LeaseStorage, key: string, fn: () => Promise<T>): Promise<T> {
  const owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  for (;;) {
    const held = readLease(storage, key)
    if (!held || held.until <= Date.now()) {
      const claim: Lease = { owner, until: Date.now() + LEASE_MS }
      try {
        storage.setItem(key, JSON.stringify(claim))
      } catch {
        return fn() // storage is full or gone: no lock to be had
      }
      await sleep(LEASE_SETTLE_MS)
      if (readLease(storage, key)?.owner === owner) {
        try {
          return await fn()
        } finally {
          if (readLease(storage, key)?.owner === owner) storage.removeItem(key)
        }
      }
    }
    await sleep(LEASE_SETTLE_MS + Math.random() * 50)
  }
}
