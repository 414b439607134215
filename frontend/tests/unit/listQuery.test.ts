import { describe, expect, it } from 'vitest'
import type { TargetSort } from '../../src/api/types'
import {
  type ListQuery,
  SORT_OPTIONS,
  hasFilters,
  pageCount,
  parseListQuery,
  sortColumn,
  sortDirection,
  toApiQuery,
  toRouteQuery,
  toggleSort,
} from '../../src/lib/listQuery'
import { reuseUnchanged } from '../../src/lib/reuse'
import { parseConfig } from '../../src/config'

const ALL_SORTS: TargetSort[] = ['name', '-name', 'status', '-status', 'latency', '-latency', 'checked', '-checked', 'cert_expiry', '-cert_expiry']
const base: ListQuery = { q: '', status: '', tag: '', sort: 'name', page: 1, size: 50 }

describe('list query in the URL', () => {
  it('reads filters, sort and page, ignoring what it does not know', () => {
    expect(parseListQuery({ q: 'shop', status: 'down', tag: 'prod', sort: '-latency', page: '3', size: '100' })).toEqual({
      q: 'shop',
      status: 'down',
      tag: 'prod',
      sort: '-latency',
      page: 3,
      size: 100,
    })
    expect(parseListQuery({ status: 'bogus', page: '-2', size: '7' })).toEqual(base)
  })

  it('writes back only what differs from the defaults', () => {
    expect(toRouteQuery(base)).toEqual({})
    expect(toRouteQuery({ q: 'a', status: 'up', tag: '', sort: 'name', page: 2, size: 25 })).toEqual({ q: 'a', status: 'up', page: '2', size: '25' })
  })

  it('asks the API for one page', () => {
    expect(toApiQuery({ q: '', status: 'paused', tag: 'x', sort: 'name', page: 3, size: 100 })).toEqual({
      limit: 100,
      offset: 200,
      q: undefined,
      status: 'paused',
      tag: 'x',
      sort: 'name',
    })
    expect(pageCount(10_000, 50)).toBe(200)
    expect(pageCount(0, 50)).toBe(1)
    expect(hasFilters({ ...base, page: 4 })).toBe(false)
  })
})

describe('sort in the URL', () => {
  it('round-trips every sort the API takes; the default (name) stays out of the URL', () => {
    for (const sort of ALL_SORTS) {
      const route = toRouteQuery({ ...base, sort })
      expect(route.sort).toBe(sort === 'name' ? undefined : sort)
      expect(parseListQuery(route as Record<string, string>).sort).toBe(sort)
      expect(toApiQuery({ ...base, sort }).sort).toBe(sort)
    }
    expect(toRouteQuery({ ...base, sort: 'status', page: 3 })).toEqual({ sort: 'status', page: '3' })
  })

  it('falls back to name for a sort it does not know, uptime included', () => {
    for (const sort of ['uptime', '-uptime', 'NAME', '--name', '', 'name,status']) {
      expect(parseListQuery({ sort }).sort).toBe('name')
    }
    expect(parseListQuery({ sort: ['-checked', 'name'] }).sort).toBe('-checked')
    expect(parseListQuery({ sort: null }).sort).toBe('name')
  })

  it('is not a filter: clearing filters keeps it', () => {
    expect(hasFilters({ ...base, sort: '-status' })).toBe(false)
  })

  it('names each sort once for the phone select', () => {
    expect(SORT_OPTIONS.map((o) => o.value).sort()).toEqual([...ALL_SORTS].sort())
    expect(new Set(SORT_OPTIONS.map((o) => o.label)).size).toBe(ALL_SORTS.length)
  })

  it('tells the column and direction, and flips the active column on click', () => {
    expect(sortColumn('-latency')).toBe('latency')
    expect(sortDirection('-latency')).toBe('descending')
    expect(sortColumn('status')).toBe('status')
    expect(sortDirection('status')).toBe('ascending')

    expect(toggleSort('name', 'name')).toBe('-name')
    expect(toggleSort('-name', 'name')).toBe('name')
    expect(toggleSort('name', 'status')).toBe('status')
    expect(toggleSort('status', 'status')).toBe('-status')
    expect(toggleSort('-status', 'latency')).toBe('latency')
    expect(toggleSort('-latency', 'checked')).toBe('checked')
    expect(toggleSort('checked', 'checked')).toBe('-checked')
  })
})

describe('reuseUnchanged', () => {
  it('keeps the objects of unchanged rows and the array when nothing changed', () => {
    const a = [{ id: 1, v: 'a' }, { id: 2, v: 'b' }]
    const same = reuseUnchanged(a, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], (x) => x.id)
    expect(same).toBe(a)
    const changed = reuseUnchanged(a, [{ id: 1, v: 'a' }, { id: 2, v: 'c' }], (x) => x.id)
    expect(changed).not.toBe(a)
    expect(changed[0]).toBe(a[0])
    expect(changed[1]).toEqual({ id: 2, v: 'c' })
  })
})

describe('runtime config', () => {
  it('reads apiBase and falls back to the same origin', () => {
    expect(parseConfig({ apiBase: 'https://watchdog.example.com/' })).toEqual({ apiBase: 'https://watchdog.example.com' })
    expect(parseConfig({ apiBase: 'https://w.example/api/v1' })).toEqual({ apiBase: 'https://w.example' })
    expect(parseConfig(null)).toEqual({ apiBase: '' })
    expect(parseConfig([1])).toEqual({ apiBase: '' })
    expect(parseConfig({ apiBase: 5 })).toEqual({ apiBase: '' })
  })
})
