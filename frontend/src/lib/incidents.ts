// Incidents as the dashboard shows them — "Ongoing" or "Resolved", how long they
// lasted (or have lasted so far) — and the incidents page's filter and page in the URL
// (?open=true&page=2&size=100).
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { Incident, IncidentKind } from '../api/types'
import { DEFAULT_PAGE_SIZE, PAGE_SIZES } from './listQuery'

export type IncidentState = 'ongoing' | 'resolved'

export function incidentState(i: Pick<Incident, 'resolved_at'>): IncidentState {
  return i.resolved_at === null || i.resolved_at === '' ? 'ongoing' : 'resolved'
}

export function isOngoing(i: Pick<Incident, 'resolved_at'>): boolean {
  return incidentState(i) === 'ongoing'
}

export const INCIDENT_STATE_LABELS: Record<IncidentState, string> = { ongoing: 'Ongoing', resolved: 'Resolved' }

export const INCIDENT_KIND_LABELS: Record<IncidentKind, string> = {
  down: 'Down',
  warm_gap: 'Warm gap',
  cert_expiry: 'Certificate expiring',
}

/** How long it lasted, or has lasted until `now` while it is open; in seconds, never below 0. */
export function incidentSeconds(i: Pick<Incident, 'started_at' | 'resolved_at'>, now: number = Date.now()): number {
  const start = Date.parse(i.started_at)
  const end = i.resolved_at ? Date.parse(i.resolved_at) : now
  if (Number.isNaN(start) || Number.isNaN(end)) return 0
  return Math.max(0, Math.floor((end - start) / 1000))
}

/** "45 s", "4 min 12 s", "2 h 5 min", "3 d 4 h": the two largest units, the smaller left out when 0. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} s`
  const parts: [number, string][] =
    s < 3600
      ? [[Math.floor(s / 60), 'min'], [s % 60, 's']]
      : s < 86_400
        ? [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'min']]
        : [[Math.floor(s / 86_400), 'd'], [Math.floor((s % 86_400) / 3600), 'h']]
  const [big, small] = parts as [[number, string], [number, string]]
  return small[0] ? `${big[0]} ${big[1]} ${small[0]} ${small[1]}` : `${big[0]} ${big[1]}`
}

/** "4 min 12 s", or "4 min 12 s so far" while it is open. */
export function incidentDuration(i: Pick<Incident, 'started_at' | 'resolved_at'>, now: number = Date.now()): string {
  const words = formatDuration(incidentSeconds(i, now))
  return isOngoing(i) ? `${words} so far` : words
}

export interface IncidentQuery {
  /** Only unresolved incidents. */
  open: boolean
  /** 1-based. */
  page: number
  size: number
}

function first(v: LocationQuery[string] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

export function parseIncidentQuery(query: LocationQuery): IncidentQuery {
  const page = Number.parseInt(first(query.page), 10)
  const size = Number.parseInt(first(query.size), 10)
  return {
    open: ['true', '1'].includes(first(query.open)),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  }
}

/** The URL query, defaults left out. */
export function toIncidentRouteQuery(q: IncidentQuery): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  if (q.open) out.open = 'true'
  if (q.page > 1) out.page = String(q.page)
  if (q.size !== DEFAULT_PAGE_SIZE) out.size = String(q.size)
  return out
}

/** The API's query for one page of incidents. */
export function toIncidentApiQuery(q: IncidentQuery) {
  return { limit: q.size, offset: (q.page - 1) * q.size, open: q.open || undefined }
}
