// The dashboard's filters and page live in the URL (?q=&status=&tag=&page=&size=), so
// a view can be shared and survives a reload. These turn one into the other.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { StatusFilter } from './status'

export const PAGE_SIZES = [25, 50, 100, 200] as const
export const DEFAULT_PAGE_SIZE = 50
const STATUSES: readonly StatusFilter[] = ['up', 'down', 'unknown', 'paused', 'active']

export interface ListQuery {
  q: string
  status: StatusFilter | ''
  tag: string
  /** 1-based. */
  page: number
  size: number
}

function first(v: LocationQuery[string] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

export function parseListQuery(query: LocationQuery): ListQuery {
  const status = first(query.status) as StatusFilter
  const page = Number.parseInt(first(query.page), 10)
  const size = Number.parseInt(first(query.size), 10)
  return {
    q: first(query.q).slice(0, 200),
    status: STATUSES.includes(status) ? status : '',
    tag: first(query.tag).slice(0, 100),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  }
}

/** The URL query for a list view, leaving defaults out so URLs stay short. */
export function toRouteQuery(l: ListQuery): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  if (l.q) out.q = l.q
  if (l.status) out.status = l.status
  if (l.tag) out.tag = l.tag
  if (l.page > 1) out.page = String(l.page)
  if (l.size !== DEFAULT_PAGE_SIZE) out.size = String(l.size)
  return out
}

/** The API's query for one page of targets. */
export function toApiQuery(l: ListQuery) {
  return {
    limit: l.size,
    offset: (l.page - 1) * l.size,
    q: l.q || undefined,
    status: l.status || undefined,
    tag: l.tag || undefined,
  }
}

export function hasFilters(l: ListQuery): boolean {
  return l.q !== '' || l.status !== '' || l.tag !== ''
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size))
}
