// The dashboard's filters, sort and page live in the URL
// (?q=&status=&tag=&sort=&page=&size=), so a view can be shared and survives a
// reload. These turn one into the other.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { TargetSort } from '../api/types'
import type { StatusFilter } from './status'

export const PAGE_SIZES = [25, 50, 100, 200] as const
export const DEFAULT_PAGE_SIZE = 50
const STATUSES: readonly StatusFilter[] = ['up', 'down', 'unknown', 'paused', 'active']

/** The columns the API sorts by; uptime is not one of them. */
export type SortColumn = 'name' | 'status' | 'latency' | 'checked' | 'cert_expiry'
export type SortDirection = 'ascending' | 'descending'
export const DEFAULT_SORT: TargetSort = 'name'

/**
 * Every sort the API takes, with how the phone's "Sort" select names it. The
 * `satisfies` makes the compiler say so when the API gains or loses one.
 */
export const SORT_OPTIONS = [
  { value: 'name', label: 'Name, A to Z' },
  { value: '-name', label: 'Name, Z to A' },
  { value: 'status', label: 'Status, down first' },
  { value: '-status', label: 'Status, paused first' },
  { value: 'latency', label: 'Latency, fastest first' },
  { value: '-latency', label: 'Latency, slowest first' },
  { value: 'checked', label: 'Checked, longest ago first' },
  { value: '-checked', label: 'Checked, most recent first' },
  { value: 'cert_expiry', label: 'Certificate, expiring soonest first' },
  { value: '-cert_expiry', label: 'Certificate, expiring latest first' },
] as const satisfies readonly { value: TargetSort; label: string }[]

type Missing = Exclude<TargetSort, (typeof SORT_OPTIONS)[number]['value']>
const everySortListed: [Missing] extends [never] ? true : Missing = true
void everySortListed

const SORTS: readonly string[] = SORT_OPTIONS.map((o) => o.value)

export interface ListQuery {
  q: string
  status: StatusFilter | ''
  tag: string
  sort: TargetSort
  /** 1-based. */
  page: number
  size: number
}

function first(v: LocationQuery[string] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

export function isSort(v: string): v is TargetSort {
  return SORTS.includes(v)
}

export function parseListQuery(query: LocationQuery): ListQuery {
  const status = first(query.status) as StatusFilter
  const sort = first(query.sort)
  const page = Number.parseInt(first(query.page), 10)
  const size = Number.parseInt(first(query.size), 10)
  return {
    q: first(query.q).slice(0, 200),
    status: STATUSES.includes(status) ? status : '',
    tag: first(query.tag).slice(0, 100),
    sort: isSort(sort) ? sort : DEFAULT_SORT,
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
  if (l.sort !== DEFAULT_SORT) out.sort = l.sort
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
    sort: l.sort,
  }
}

/** The column a sort orders by. */
export function sortColumn(sort: TargetSort): SortColumn {
  return sort.replace(/^-/, '') as SortColumn
}

/** Which way a sort runs, in aria-sort's words ("status" ascending is down first). */
export function sortDirection(sort: TargetSort): SortDirection {
  return sort.startsWith('-') ? 'descending' : 'ascending'
}

/** The sort after clicking a column's header: the active column flips, another starts ascending. */
export function toggleSort(current: TargetSort, column: SortColumn): TargetSort {
  if (sortColumn(current) !== column) return column
  return (current.startsWith('-') ? column : `-${column}`) as TargetSort
}

/** Whether the list is narrowed (the sort and page do not count). */
export function hasFilters(l: ListQuery): boolean {
  return l.q !== '' || l.status !== '' || l.tag !== ''
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size))
}
