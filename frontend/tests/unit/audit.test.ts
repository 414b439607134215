import { describe, expect, it } from 'vitest'
import { h, nextTick } from 'vue'
import type { components } from '../../src/api/schema'
import AuditTable from '../../src/components/AuditTable.vue'
import { changeLines, formatAuditValue, parseAuditQuery, toAuditApiQuery, toAuditRouteQuery } from '../../src/lib/audit'
import { mount as mountIn } from './dom'

// The audit log: each change as "field: before → after", values as plain text (objects
// as JSON, null as "—"); the kind filter and the page in the URL.

type AuditEntry = components['schemas']['AuditEntry']

describe('formatAuditValue', () => {
  it('shows values as text: null as —, objects and lists as JSON', () => {
    expect(formatAuditValue(null)).toBe('—')
    expect(formatAuditValue(undefined)).toBe('—')
    expect(formatAuditValue('shop-api')).toBe('shop-api')
    expect(formatAuditValue('')).toBe('""')
    expect(formatAuditValue(60)).toBe('60')
    expect(formatAuditValue(false)).toBe('false')
    expect(formatAuditValue(['prod', 'eu'])).toBe('["prod","eu"]')
    expect(formatAuditValue({ 'X-Token': '********' })).toBe('{"X-Token":"********"}')
    expect(formatAuditValue('<b>x</b>')).toBe('<b>x</b>') // rendered as text by the caller
  })
})

describe('changeLines', () => {
  it('writes each field as "field: before → after", by name', () => {
    const lines = changeLines({
      role: { before: 'viewer', after: 'editor' },
      interval_seconds: { before: 60, after: 300 },
      username: { before: null, after: 'vera' },
    })
    expect(lines.map((l) => l.text)).toEqual(['interval_seconds: 60 → 300', 'role: viewer → editor', 'username: — → vera'])
    expect(changeLines({})).toEqual([])
    expect(changeLines(null)).toEqual([])
  })
})

describe('audit query', () => {
  it('reads the kind and page from the URL, ignoring nonsense, and leaves defaults out', () => {
    expect(parseAuditQuery({ kind: 'user', page: '3', size: '100' })).toEqual({ kind: 'user', page: 3, size: 100 })
    expect(parseAuditQuery({ kind: 'nope', page: '-1', size: '7' })).toEqual({ kind: '', page: 1, size: 50 })
    expect(toAuditRouteQuery({ kind: '', page: 1, size: 50 })).toEqual({})
    expect(toAuditRouteQuery({ kind: 'api_key', page: 2, size: 25 })).toEqual({ kind: 'api_key', page: '2', size: '25' })
    expect(toAuditApiQuery({ kind: 'user', page: 3, size: 25 })).toEqual({ limit: 25, offset: 50, kind: 'user' })
    expect(toAuditApiQuery({ kind: '', page: 1, size: 50 }).kind).toBeUndefined()
  })
})

describe('AuditTable', () => {
  function mount(entries: AuditEntry[]) {
    return mountIn(() => h(AuditTable, { entries, emptyText: 'No changes yet' }), { links: true })
  }

  it('shows who did what to which object, and the changes as text', async () => {
    const { el, unmount } = mount([
      {
        id: 2,
        at: new Date(Date.now() - 120_000).toISOString(),
        actor_id: 1,
        actor: 'admin',
        action: 'create',
        kind: 'user',
        object_id: 5,
        object_name: 'vera',
        changes: { username: { before: null, after: 'vera' }, role: { before: null, after: 'viewer' }, meta: { before: null, after: { a: 1 } } },
      },
      {
        id: 1,
        at: '2026-11-25T12:00:00Z',
        actor_id: null,
        actor: 'old-admin (key deploy)',
        action: 'delete',
        kind: 'api_key',
        object_id: 4,
        object_name: '<img src=x onerror=alert(1)>',
        changes: {},
      },
    ])
    await nextTick()
    const rows = [...el.querySelectorAll('tbody tr')]
    expect(rows).toHaveLength(2)
    const cells = (r: Element) => [...r.querySelectorAll('td')].map((td) => td.textContent?.replace(/\s+/g, ' ').trim())
    const first = cells(rows[0]!)
    expect(first[0]).toBe('2 min ago')
    expect(rows[0]!.querySelector('time')?.getAttribute('title')).toBeTruthy() // the exact time
    expect(first.slice(1, 5)).toEqual(['By admin', 'Action Create', 'Kind User', 'Object vera #5'])
    expect([...rows[0]!.querySelectorAll('.changes li')].map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'meta: — → {"a":1}',
      'role: — → viewer',
      'username: — → vera',
    ])
    // A deleted actor says so; no changes is a dash; names are text, never markup.
    expect(cells(rows[1]!)[1]).toBe('By old-admin (key deploy) (deleted)')
    expect(cells(rows[1]!)[5]).toBe('Changes —')
    expect(rows[1]!.querySelector('img')).toBeNull()
    expect(rows[1]!.textContent).toContain('<img src=x onerror=alert(1)>')
    unmount()

    const empty = mount([])
    expect(empty.el.querySelector('tbody')?.textContent?.trim()).toBe('No changes yet')
    empty.unmount()
  })
})
