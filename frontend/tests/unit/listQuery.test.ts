import { describe, expect, it } from 'vitest'
import { hasFilters, pageCount, parseListQuery, toApiQuery, toRouteQuery } from '../../src/lib/listQuery'
import { reuseUnchanged } from '../../src/lib/reuse'
import { parseConfig } from '../../src/config'

describe('list query in the URL', () => {
  it('reads filters and page, ignoring what it does not know', () => {
    expect(parseListQuery({ q: 'shop', status: 'down', tag: 'prod', page: '3', size: '100' })).toEqual({
      q: 'shop',
      status: 'down',
      tag: 'prod',
      page: 3,
      size: 100,
    })
    expect(parseListQuery({ status: 'bogus', page: '-2', size: '7' })).toEqual({ q: '', status: '', tag: '', page: 1, size: 50 })
  })

  it('writes back only what differs from the defaults', () => {
    expect(toRouteQuery({ q: '', status: '', tag: '', page: 1, size: 50 })).toEqual({})
    expect(toRouteQuery({ q: 'a', status: 'up', tag: '', page: 2, size: 25 })).toEqual({ q: 'a', status: 'up', page: '2', size: '25' })
  })

  it('asks the API for one page', () => {
    expect(toApiQuery({ q: '', status: 'paused', tag: 'x', page: 3, size: 100 })).toEqual({
      limit: 100,
      offset: 200,
      q: undefined,
      status: 'paused',
      tag: 'x',
    })
    expect(pageCount(10_000, 50)).toBe(200)
    expect(pageCount(0, 50)).toBe(1)
    expect(hasFilters({ q: '', status: '', tag: '', page: 4, size: 50 })).toBe(false)
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
