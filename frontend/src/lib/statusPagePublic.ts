// Reading a public status page as a visitor does: no credential at all. The app's
// ApiClient insists on a session (it refreshes tokens and ends the session when there
// is none), which a visitor does not have, so this one request goes around it: a plain
// fetch of the public endpoint, with no Authorization header, no cookies, and the
// client's own error types so the page tells "not found" from "unreachable".
import type { paths } from '../api/schema'
import { ApiError, NetworkError, isGatewayFailure, readProblem } from '../api/errors'
import { isValidSlug } from './statusPage'

type PublicOp = paths['/public/status-pages/{slug}']['get']
export type PublicStatusPageData = PublicOp['responses'][200]['content']['application/json']

export interface PublicFetchOptions {
  signal?: AbortSignal
  fetch?: typeof fetch
  /** How long the request may take before it counts as unreachable (ms). */
  timeoutMs?: number
}

/** The public page's URL under an API root such as "/api/v1". */
export function publicStatusPageUrl(apiRoot: string, slug: string): string {
  return `${apiRoot.replace(/\/+$/, '')}/public/status-pages/${encodeURIComponent(slug)}`
}

function notFound(): ApiError {
  return new ApiError(404, {
    type: 'urn:watchdog:problem:not-found',
    title: 'Not Found',
    status: 404,
    detail: 'status page not found',
  })
}

/**
 * The page under `slug`, or an ApiError (404: no such page) or a NetworkError (the API
 * did not answer). A slug the API could never have is 404 at once, without a request:
 * it could otherwise walk the URL elsewhere ("..").
 */
export async function fetchPublicStatusPage(
  apiRoot: string,
  slug: string,
  o: PublicFetchOptions = {},
): Promise<PublicStatusPageData> {
  if (!isValidSlug(slug)) throw notFound()
  const doFetch = o.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))
  const ctl = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    ctl.abort()
  }, o.timeoutMs ?? 15_000)
  const onAbort = () => ctl.abort(o.signal?.reason)
  if (o.signal?.aborted) onAbort()
  else o.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    let res: Response
    try {
      res = await doFetch(publicStatusPageUrl(apiRoot, slug), {
        method: 'GET',
        headers: { Accept: 'application/json, application/problem+json' },
        // Never the session's token nor a cookie: what a visitor sees, the same for all.
        credentials: 'omit',
        // The API marks the answer cacheable for 30 s; the browser may keep it that long.
        cache: 'default',
        signal: ctl.signal,
      })
    } catch (err) {
      if (o.signal?.aborted && !timedOut) throw err
      throw new NetworkError("Can't reach the status service", { cause: err })
    }
    if (isGatewayFailure(res.status, res.headers.get('Content-Type'))) {
      await res.body?.cancel().catch(() => undefined)
      throw new NetworkError(`The status service is unavailable (HTTP ${res.status})`)
    }
    if (!res.ok) throw new ApiError(res.status, await readProblem(res))
    try {
      return (await res.json()) as PublicStatusPageData
    } catch (err) {
      if (timedOut) throw new NetworkError("Can't reach the status service", { cause: err })
      throw err
    }
  } finally {
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
  }
}
