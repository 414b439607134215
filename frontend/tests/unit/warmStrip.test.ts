import { describe, expect, it } from 'vitest'
import { type StripInput, formatWake, localParts, warmStrip } from '../../src/lib/warmStrip'

// 24 Nov 2026 is a Tuesday; 23 Nov a Monday.
const NOW = Date.parse('2026-11-24T12:30:00Z')
const LONG_AGO = Date.parse('2026-01-01T00:00:00Z')

function input(over: Partial<StripInput> = {}): StripInput {
  return { checks: [], windows: [], timezone: 'UTC', idleSeconds: 900, createdAt: LONG_AGO, now: NOW, ...over }
}

const ok = (iso: string) => ({ checked_at: iso, ok: true })
const states = (row: { cells: { state: string }[] }) => row.cells.map((c) => c.state)

describe('warm strip', () => {
  it('has 7 rows of 24 hours, newest last, and no data after now', () => {
    const checks = []
    for (let t = NOW - 8 * 86_400_000; t <= NOW; t += 600_000) checks.push(ok(new Date(t).toISOString()))
    const rows = warmStrip(input({ checks }))
    expect(rows).toHaveLength(7)
    expect(rows.map((r) => r.label)).toEqual([
      'Wed 18 Nov',
      'Thu 19 Nov',
      'Fri 20 Nov',
      'Sat 21 Nov',
      'Sun 22 Nov',
      'Mon 23 Nov',
      'Tue 24 Nov',
    ])
    for (const r of rows) expect(r.cells).toHaveLength(24)
    expect(rows[5]!.summary).toBe('Mon 23 Nov: awake 24 h, asleep 0 h, outside window 0 h')
    expect(rows[6]!.counts).toEqual({ awake: 13, asleep: 0, outside: 0, nodata: 11 })
    expect(rows[6]!.summary).toBe('Tue 24 Nov: awake 13 h, asleep 0 h, outside window 0 h, no data 11 h')
    expect(rows[6]!.cells[0]!.at).toBe(Date.parse('2026-11-24T00:00:00Z'))
  })

  it('carries a success over the idle limit into the next hour', () => {
    const checks = [ok('2026-11-23T10:50:00Z')]
    const row = warmStrip(input({ checks }))[5]!
    expect(states(row).slice(9, 13)).toEqual(['asleep', 'awake', 'awake', 'asleep'])
    // Without an idle limit only the hour of the check counts.
    const bare = warmStrip(input({ checks, idleSeconds: null }))[5]!
    expect(states(bare).slice(9, 13)).toEqual(['asleep', 'awake', 'asleep', 'asleep'])
    // A failed check keeps nothing awake.
    const failed = warmStrip(input({ checks: [{ checked_at: '2026-11-23T10:50:00Z', ok: false }] }))[5]!
    expect(failed.counts.awake).toBe(0)
  })

  it('runs a window past midnight into the next day', () => {
    const rows = warmStrip(input({ windows: [{ days: ['mon'], start: '22:00', end: '02:00' }] }))
    const [sun, mon, tue] = [rows[4]!, rows[5]!, rows[6]!]
    expect(sun.counts.outside).toBe(24)
    expect(states(mon).slice(20)).toEqual(['outside', 'outside', 'asleep', 'asleep'])
    expect(mon.counts).toEqual({ awake: 0, asleep: 2, outside: 22, nodata: 0 })
    expect(states(tue).slice(0, 3)).toEqual(['asleep', 'asleep', 'outside'])
  })

  it('reads windows and days in the target time zone', () => {
    // Berlin is UTC+1 in November: 08:00–20:00 there is 07:00–19:00 UTC.
    const rows = warmStrip(
      input({
        timezone: 'Europe/Berlin',
        idleSeconds: 0,
        windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
        checks: [ok('2026-11-23T07:10:00Z')],
      }),
    )
    const mon = rows[5]!
    expect(mon.label).toBe('Mon 23 Nov')
    expect(mon.cells[0]!.at).toBe(Date.parse('2026-11-22T23:00:00Z'))
    expect(states(mon).slice(7, 10)).toEqual(['outside', 'awake', 'asleep'])
    expect(mon.summary).toBe('Mon 23 Nov: awake 1 h, asleep 11 h, outside window 12 h')
    expect(rows[4]!.counts.outside).toBe(24) // Sunday
  })

  it('shifts days with a zone behind UTC', () => {
    // 12:30 UTC is 07:30 in New York: today there has 8 hours so far.
    const rows = warmStrip(input({ timezone: 'America/New_York' }))
    expect(rows[6]!.label).toBe('Tue 24 Nov')
    expect(rows[6]!.cells[0]!.at).toBe(Date.parse('2026-11-24T05:00:00Z'))
    expect(rows[6]!.counts.nodata).toBe(16)
    expect(localParts(Date.parse('2026-11-24T05:00:00Z'), 'America/New_York')).toMatchObject({ hour: 0, weekday: 1 })
  })

  it('has no data before the target existed, or before the checks held', () => {
    const created = warmStrip(input({ createdAt: Date.parse('2026-11-23T10:30:00Z') }))
    expect(created[4]!.counts.nodata).toBe(24)
    expect(states(created[5]!).slice(9, 11)).toEqual(['nodata', 'asleep'])
    const held = warmStrip(input({ dataFrom: Date.parse('2026-11-24T00:00:00Z') }))
    expect(held[5]!.counts.nodata).toBe(24)
  })

  it('falls back to UTC for an unknown zone', () => {
    expect(warmStrip(input({ timezone: 'Mars/Olympus' }))[6]!.cells[0]!.at).toBe(Date.parse('2026-11-24T00:00:00Z'))
  })
})

describe('formatWake', () => {
  it('reads as seconds', () => {
    expect(formatWake(31_000)).toBe('31 s')
    expect(formatWake(1_540)).toBe('1.5 s')
    expect(formatWake(850)).toBe('850 ms')
    expect(formatWake(null)).toBe('—')
  })
})
