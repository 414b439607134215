import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  incidentDuration,
  incidentSeconds,
  incidentState,
  isOngoing,
  parseIncidentQuery,
  toIncidentApiQuery,
  toIncidentRouteQuery,
} from '../../src/lib/incidents'

const START = '2026-11-25T12:00:00Z'
const at = (seconds: number) => Date.parse(START) + seconds * 1000

describe('incidents', () => {
  it('is ongoing until it has a resolved_at', () => {
    expect(incidentState({ resolved_at: null })).toBe('ongoing')
    expect(isOngoing({ resolved_at: null })).toBe(true)
    expect(incidentState({ resolved_at: '2026-11-25T12:05:00Z' })).toBe('resolved')
    expect(isOngoing({ resolved_at: '2026-11-25T12:05:00Z' })).toBe(false)
  })

  it('formats durations with their two largest units', () => {
    expect(formatDuration(0)).toBe('0 s')
    expect(formatDuration(45.9)).toBe('45 s')
    expect(formatDuration(60)).toBe('1 min')
    expect(formatDuration(252)).toBe('4 min 12 s')
    expect(formatDuration(3600)).toBe('1 h')
    expect(formatDuration(7500)).toBe('2 h 5 min')
    expect(formatDuration(86_400)).toBe('1 d')
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe('3 d 4 h')
    expect(formatDuration(-5)).toBe('0 s')
  })

  it('measures a resolved incident from start to end, an ongoing one until now', () => {
    const resolved = { started_at: START, resolved_at: '2026-11-25T12:04:12Z' }
    expect(incidentSeconds(resolved, at(99_999))).toBe(252)
    expect(incidentDuration(resolved, at(99_999))).toBe('4 min 12 s')
    const ongoing = { started_at: START, resolved_at: null }
    expect(incidentSeconds(ongoing, at(90))).toBe(90)
    expect(incidentDuration(ongoing, at(90))).toBe('1 min 30 s so far')
    // A clock a little behind the server's never shows a negative time.
    expect(incidentDuration(ongoing, at(-3))).toBe('0 s so far')
  })

  it('keeps "Ongoing only" and the page in the URL, defaults left out', () => {
    expect(parseIncidentQuery({})).toEqual({ open: false, page: 1, size: 50 })
    const q = parseIncidentQuery({ open: 'true', page: '3', size: '100' })
    expect(q).toEqual({ open: true, page: 3, size: 100 })
    expect(toIncidentRouteQuery(q)).toEqual({ open: 'true', page: '3', size: '100' })
    expect(toIncidentRouteQuery({ open: false, page: 1, size: 50 })).toEqual({})
    expect(parseIncidentQuery({ open: 'nope', page: '-1', size: '7' })).toEqual({ open: false, page: 1, size: 50 })
    expect(toIncidentApiQuery(q)).toEqual({ limit: 100, offset: 200, open: true })
    expect(toIncidentApiQuery({ open: false, page: 1, size: 50 })).toEqual({ limit: 50, offset: 0, open: undefined })
  })
})
