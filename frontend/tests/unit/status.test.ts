import { describe, expect, it } from 'vitest'
import type { Beat, Stats } from '../../src/api/types'
import { formatLatency, formatUptime, shortenMiddle } from '../../src/lib/format'
import {
  beatKind,
  beatTitle,
  beatsSummary,
  checkSummary,
  padBeats,
  statusLabel,
  summaryText,
  targetStatus,
} from '../../src/lib/status'

const beat = (ok: boolean, cold = false, code: number | null = ok ? 200 : 500, latency = 87): Beat => ({
  checked_at: '2026-11-25T12:00:00Z',
  ok,
  cold_start: cold,
  latency_ms: latency,
  status_code: code,
})

const stats = (s: Partial<Stats>): Stats => ({ total: 0, active: 0, paused: 0, up: 0, down: 0, unknown: 0, over_budget: 0, ...s })

describe('target status', () => {
  it('is paused when inactive, whatever the last check said', () => {
    expect(targetStatus({ is_active: false, last_status: 'down' })).toBe('paused')
    expect(targetStatus({ is_active: true, last_status: 'down' })).toBe('down')
    expect(targetStatus({ is_active: true, last_status: 'unknown' })).toBe('unknown')
  })

  it('has a word for every state', () => {
    expect(['up', 'down', 'unknown', 'paused'].map((s) => statusLabel(s as 'up'))).toEqual(['Up', 'Down', 'Unknown', 'Paused'])
  })
})

describe('heartbeat strip', () => {
  it('tells up, down, cold start and none apart', () => {
    expect(beatKind(beat(true))).toBe('up')
    expect(beatKind(beat(false))).toBe('down')
    expect(beatKind(beat(true, true))).toBe('cold')
    expect(beatKind(beat(false, true))).toBe('down')
    expect(beatKind(null)).toBe('none')
  })

  it('pads on the left so the newest check is always rightmost', () => {
    const b = [beat(true), beat(false)]
    const padded = padBeats(b, 5)
    expect(padded).toEqual([null, null, null, b[0], b[1]])
    expect(padBeats(Array.from({ length: 40 }, (_, i) => i), 30)).toEqual(Array.from({ length: 30 }, (_, i) => i + 10))
  })

  it('sums the strip up in words', () => {
    expect(beatsSummary([])).toBe('No checks yet')
    expect(beatsSummary([beat(true)])).toBe('Last check: 1 up')
    expect(beatsSummary([beat(true), beat(false), beat(true, true), beat(true, true)])).toBe(
      'Last 4 checks: 1 up, 1 down, 2 cold starts',
    )
  })

  it("gives each tick a tooltip with the time, code and latency", () => {
    const title = beatTitle(beat(false, false, null, 5012))
    expect(title).toMatch(/2026/)
    expect(title).toContain('no response')
    expect(title).toContain('5.01 s')
    expect(title).toMatch(/down$/)
    expect(beatTitle(beat(true))).toContain(' · 200 · 87 ms · up')
  })
})

describe('summary line', () => {
  it.each([
    [stats({}), 'No targets yet'],
    [stats({ total: 42, active: 42, up: 42 }), 'All 42 targets up'],
    [stats({ total: 1, active: 1, up: 1 }), '1 target up'],
    [stats({ total: 44, active: 42, up: 42, paused: 2 }), 'All 42 targets up, 2 paused'],
    [stats({ total: 42, active: 42, up: 40, down: 2 }), '2 down'],
    [stats({ total: 3, active: 3, up: 2, unknown: 1 }), '2 up, 1 unknown'],
    [stats({ total: 2, paused: 2 }), 'All 2 targets paused'],
  ])('%o reads "%s"', (s, text) => {
    expect(summaryText(s)).toBe(text)
  })
})

describe('check summary', () => {
  it('reads like a sentence fragment', () => {
    expect(checkSummary({ ok: true, status_code: 200, latency_ms: 12, error: '', cold_start: false })).toBe('Up · 200 · 12 ms')
    expect(checkSummary({ ok: false, status_code: null, latency_ms: 10000, error: 'timeout', cold_start: false })).toBe(
      'Down · 10.0 s · timeout',
    )
    expect(checkSummary({ ok: true, status_code: 200, latency_ms: 4100, error: '', cold_start: true })).toBe(
      'Up · 200 · 4.10 s · cold start',
    )
  })
})

describe('formatting', () => {
  it('formats latency', () => {
    expect(formatLatency(null)).toBe('—')
    expect(formatLatency(0)).toBe('0 ms')
    expect(formatLatency(999)).toBe('999 ms')
    expect(formatLatency(1234)).toBe('1.23 s')
    expect(formatLatency(12_345)).toBe('12.3 s')
  })

  it('never rounds uptime up to 100 % nor down to 0 %', () => {
    expect(formatUptime(null)).toBe('—')
    expect(formatUptime(1)).toBe('100 %')
    expect(formatUptime(0)).toBe('0 %')
    expect(formatUptime(0.99999)).toBe('99.99 %')
    expect(formatUptime(0.9965)).toBe('99.65 %')
    expect(formatUptime(0.5)).toBe('50.0 %')
    expect(formatUptime(0.00001)).toBe('0.1 %')
  })

  it('shortens long URLs in the middle', () => {
    expect(shortenMiddle('https://a.example/x', 60)).toBe('https://a.example/x')
    const long = 'https://shop.example.com/' + 'a'.repeat(80) + '/health'
    const short = shortenMiddle(long, 40)
    expect(short).toHaveLength(40)
    expect(short.startsWith('https://shop.example.com')).toBe(true)
    expect(short.endsWith('/health')).toBe(true)
    expect(short).toContain('…')
  })
})
