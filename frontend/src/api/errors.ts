import type { FieldError, Problem } from './types'

/**
 * ApiError is an answer from the API that was not a success: an RFC 9457 problem
 * (application/problem+json), or whatever else a proxy in between sent.
 */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  /** The fields the API named as wrong (problem `errors[]`), in its order. */
  readonly fields: FieldError[]
  /** Seconds to wait before trying again (429 Retry-After), when the API said. */
  readonly retryAfter: number | null

  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.fields = problem.errors ?? []
    this.retryAfter = retryAfter
  }

  /** The stable last segment of the problem type, e.g. "validation" or "not-found". */
  get slug(): string {
    const type = this.problem.type ?? ''
    return type.slice(type.lastIndexOf(':') + 1)
  }

  /** The messages for one JSON field of the request. */
  messagesFor(field: string): string[] {
    return this.fields.filter((f) => f.field === field).map((f) => f.message)
  }

  /**
   * Places the field errors on a form: `fields` maps each form key to the request
   * field it sent ({ expires: 'expires_at' }); errors of other fields come back as
   * "field message" lines for the top of the form.
   */
  placeFields<K extends string>(fields: Record<K, string>): { byKey: Record<K, string[]>; other: string[] } {
    const byKey = {} as Record<K, string[]>
    for (const key of Object.keys(fields) as K[]) byKey[key] = this.messagesFor(fields[key])
    const mine = new Set<string>(Object.values(fields))
    const other = this.fields.filter((f) => !mine.has(f.field)).map((f) => `${f.field} ${f.message}`)
    return { byKey, other }
  }
}

/** The session is over: the access token was refused and no refresh helped. */
export class SessionExpiredError extends ApiError {
  constructor(problem: Problem) {
    super(401, problem)
    this.name = 'SessionExpiredError'
  }
}

/**
 * NetworkError means the API could not be reached: the request failed before any
 * answer, or a gateway in front of the API said the API is not there (502/503/504
 * without a problem document from the API itself).
 */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

const GATEWAY_STATUSES = new Set([502, 503, 504])

/** Whether an answer means "the API is not there" rather than "the API said no". */
export function isGatewayFailure(status: number, contentType: string | null): boolean {
  return GATEWAY_STATUSES.has(status) && !isProblemType(contentType)
}

export function isProblemType(contentType: string | null): boolean {
  return (contentType ?? '').toLowerCase().split(';')[0]!.trim() === 'application/problem+json'
}

/**
 * Reads an error answer into a Problem. A problem+json body is taken as it is (its
 * `errors` list kept); any other body becomes a generic problem with the HTTP status.
 */
export async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '')
  const fallback: Problem = {
    type: 'about:blank',
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
  }
  if (!text) return fallback
  try {
    const body: unknown = JSON.parse(text)
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const p = body as Partial<Problem>
      return {
        ...fallback,
        ...p,
        status: typeof p.status === 'number' ? p.status : res.status,
        errors: Array.isArray(p.errors)
          ? p.errors.filter(
              (e): e is FieldError =>
                !!e && typeof e.field === 'string' && typeof e.message === 'string',
            )
          : undefined,
      }
    }
  } catch {
    // Not JSON: a proxy's HTML page, say. The status says enough.
  }
  return fallback
}

/** Parses a Retry-After header given in seconds (the API never sends a date). */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null
}
