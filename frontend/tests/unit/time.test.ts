import { describe, expect, it } from 'vitest'
import { absoluteTime, durationWords, intervalWords, relativeTime, untilTime } from '../../src/lib/time'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const ago = (s: number) => new Date(NOW - s * 1000).toISOString()

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [-3, 'just now'], // a server clock slightly ahead
    [1, '1 s ago'],
    [12, '12 s ago'],
    [59, '59 s ago'],
    [60, '1 min ago'],
    [3 * 60 + 30, '3 min ago'],
    [3599, '59 min ago'],
    [3600, '1 h ago'],
    [5 * 3600 + 10, '5 h ago'],
    [86400, '1 d ago'],
    [3 * 86400, '3 d ago'],
  ])('%i s ago reads "%s"', (s, text) => {
    expect(relativeTime(ago(s), NOW)).toBe(text)
  })

  it('says never for no time', () => {
    expect(relativeTime(null, NOW)).toBe('never')
    expect(relativeTime(undefined, NOW)).toBe('never')
    expect(relativeTime('not a time', NOW)).toBe('never')
  })

  it('takes RFC 3339 with microseconds, as the API sends', () => {
    expect(relativeTime('2026-11-25T11:59:48.123456Z', NOW)).toBe('11 s ago')
  })
})

describe('untilTime', () => {
  it.each([
    [-5, 'now'],
    [0, 'now'],
    [4, 'in 4 s'],
    [90, 'in 2 min'],
    [7200, 'in 2 h'],
  ])('%i s ahead reads "%s"', (s, text) => {
    expect(untilTime(new Date(NOW + s * 1000).toISOString(), NOW)).toBe(text)
  })
})

describe('intervalWords', () => {
  it.each([
    [1, 'every second'],
    [5, 'every 5 s'],
    [30, 'every 30 s'],
    [60, 'every minute'],
    [90, 'every 1 min 30 s'],
    [300, 'every 5 min'],
    [600, 'every 10 min'],
    [3600, 'every hour'],
    [5400, 'every 90 min'],
    [7200, 'every 2 h'],
    [3725, 'every 1 h 2 min'],
    [86400, 'every day'],
    [172800, 'every 2 d'],
  ])('%i s is "%s"', (s, text) => {
    expect(intervalWords(s)).toBe(text)
  })

  it('durations keep the unit for one', () => {
    expect(durationWords(60)).toBe('1 min')
    expect(durationWords(0)).toBe('0 s')
  })
})

describe('absoluteTime', () => {
  it("is the full date and time in the browser's zone", () => {
    const text = absoluteTime('2026-11-25T12:00:00Z')
    expect(text).toMatch(/2026/)
    expect(text).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(NOW))
    expect(absoluteTime(null)).toBe('')
  })
})
