import { describe, expect, it } from 'vitest'
import type { Platform, Target } from '../../src/api/types'
import { CHECK_TYPE_DEFAULTS } from './fixtures'
import {
  budgetBar,
  daysSummary,
  formatHours,
  intervalExplanation,
  keepWarmInterval,
  platformWarning,
  timezoneChoices,
  toggleDay,
  windowsFromRows,
  windowsSummary,
} from '../../src/lib/keepWarm'
import { buildRequest, derivedInterval, emptyForm, formFromTarget, placeErrors } from '../../src/lib/targetForm'

const render: Platform = {
  key: 'render-free',
  name: 'Render free web service',
  idle_timeout_seconds: 900,
  wake_timeout_seconds: 90,
  typical_wake_seconds: 60,
  monthly_free_hours: 750,
  hours_scope: 'workspace',
  activity: 'inbound traffic',
  pings_keep_awake: true,
  notes: '',
  source_url: 'https://render.com/docs/free',
  as_of: '2026-11',
}

describe('keep-warm interval', () => {
  it('is idle − (timeout + retry delay + timeout), as the server derives it', () => {
    expect(keepWarmInterval(900)).toBe(865)
    expect(keepWarmInterval(900, 10, 15)).toBe(865)
    expect(keepWarmInterval(300, 30, 15)).toBe(225)
    expect(keepWarmInterval(20, 10, 15)).toBe(1) // never below 1 s
    expect(keepWarmInterval(604800)).toBe(86400) // never above a day
  })

  it('explains itself in words', () => {
    expect(intervalExplanation(900, 10, 15, 'Render free web service')).toBe(
      'every 14 min 25 s: Render free web service sleeps after 15 min idle; this leaves room for a 10 s timeout, a 15 s wait and a retry',
    )
    expect(intervalExplanation(20)).toBe(
      'every 1 s: the service sleeps after 20 s idle, too soon to leave room for a 10 s timeout, a 15 s wait and a retry',
    )
    expect(intervalExplanation(604800)).toBe('every 1 d: the service sleeps after 7 d idle; this is the longest interval allowed')
  })

  it('follows the form: keep-warm on, a known idle limit, its timeout and retry delay', () => {
    const v = { ...emptyForm(), keepWarm: true, idleTimeout: '900' }
    expect(derivedInterval(v)).toBe(865)
    expect(derivedInterval({ ...v, timeout: '20', retryDelay: 30 as unknown as string })).toBe(830)
    expect(derivedInterval({ ...v, keepWarm: false })).toBeNull()
    expect(derivedInterval({ ...v, idleTimeout: '' })).toBeNull()
  })

  it('warns when pings do not (or may not) keep the host awake', () => {
    expect(platformWarning(render)).toBe('')
    expect(platformWarning({ ...render, name: 'Neon Postgres free', activity: 'queries', pings_keep_awake: false })).toBe(
      'Neon Postgres free: HTTP pings do not keep it awake (it counts queries); keep-warm cannot help here.',
    )
    expect(platformWarning({ ...render, pings_keep_awake: null })).toMatch(/^Unconfirmed: HTTP pings may not keep Render/)
    expect(platformWarning({ ...render, key: 'custom', pings_keep_awake: null })).toBe('')
  })
})

describe('warm windows', () => {
  it('summarises days, ranges of three or more with a dash', () => {
    expect(daysSummary(['fri', 'mon', 'tue', 'wed', 'thu'])).toBe('Mon–Fri')
    expect(daysSummary(['sat', 'sun'])).toBe('Sat, Sun')
    expect(daysSummary(['mon', 'wed', 'fri'])).toBe('Mon, Wed, Fri')
    expect(daysSummary(['mon', 'tue', 'wed', 'fri'])).toBe('Mon–Wed, Fri')
    expect(daysSummary(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).toBe('every day')
  })

  it('summarises windows with their time zone, or "always"', () => {
    expect(windowsSummary([], 'Europe/Berlin')).toBe('always')
    expect(windowsSummary([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }], 'Europe/Berlin')).toBe(
      'Mon–Fri 08:00–20:00 Europe/Berlin',
    )
    expect(
      windowsSummary(
        [
          { days: ['sat'], start: '22:00', end: '02:00' },
          { days: ['sun'], start: '10:00', end: '12:00' },
        ],
        '',
      ),
    ).toBe('Sat 22:00–02:00 (next day); Sun 10:00–12:00 UTC')
  })

  it('toggles days in week order', () => {
    expect(toggleDay(['wed', 'mon'], 'tue')).toEqual(['mon', 'tue', 'wed'])
    expect(toggleDay(['mon', 'tue'], 'mon')).toEqual(['tue'])
  })

  it('builds warm_windows from the rows and catches what it can', () => {
    expect(windowsFromRows([{ days: ['fri', 'mon'], start: '08:00:00', end: '20:00' }])).toEqual({
      windows: [{ days: ['mon', 'fri'], start: '08:00', end: '20:00' }],
      errors: {},
    })
    const { errors } = windowsFromRows([
      { days: [], start: '', end: '20:00' },
      { days: ['mon'], start: '09:00', end: '09:00' },
    ])
    expect(errors).toEqual({
      'warm_windows[0].days': ['needs at least one day'],
      'warm_windows[0].start': ['is required'],
      'warm_windows[1].end': ['must differ from the start'],
    })
  })

  it('offers the browser zone first, then common ones, each once', () => {
    const zones = timezoneChoices('Europe/Berlin')
    expect(zones[0]).toBe('Europe/Berlin')
    expect(zones.filter((z) => z === 'Europe/Berlin')).toHaveLength(1)
    expect(zones).toContain('UTC')
    expect(timezoneChoices(undefined)[0]).toBe('UTC')
  })
})

describe('target form: keep-warm', () => {
  const base: Target = {
    id: 3,
    name: 'api',
    url: 'https://api.onrender.com/health',
    method: 'GET',
    headers: {},
    secret_headers: [],
    interval_seconds: 865,
    timeout_seconds: 10,
    expected_status: '200-399',
    is_active: true,
    tags: [],
    retries: 3,
    retry_delay_seconds: 15,
    failure_threshold: 3,
    success_threshold: 2,
    channel_ids: [],
    conditions: [],
    keep_warm: true,
    platform: 'render-free',
    idle_timeout_seconds: 900,
    wake_timeout_seconds: 90,
    warm_windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
    timezone: 'Europe/Berlin',
    ...CHECK_TYPE_DEFAULTS,
    budget_group: 'render-ws',
    warnings: [],
    last_status: 'up',
    last_checked_at: null,
    last_latency_ms: null,
    last_status_code: null,
    last_error: '',
    next_check_at: null,
    created_at: '2026-11-25T00:00:00Z',
    updated_at: '2026-11-25T00:00:00Z',
  }

  it('creates with the platform and what differs from its preset; no interval unless typed', () => {
    const v = {
      ...emptyForm(),
      url: 'https://api.onrender.com/health',
      interval: '',
      platform: 'render-free',
      keepWarm: true,
      idleTimeout: '900',
      wakeTimeout: '90',
      timezone: 'Europe/Berlin',
      budgetGroup: ' render-ws ',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
    }
    expect(buildRequest(v, undefined, render)).toEqual({
      body: {
        url: 'https://api.onrender.com/health',
        method: 'GET',
        headers: {},
        tags: [],
        platform: 'render-free',
        timezone: 'Europe/Berlin',
        budget_group: 'render-ws',
        warm_windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
      },
      errors: {},
    })
    // Keep-warm turned off with a platform, a custom idle limit: said.
    const off = buildRequest({ ...v, keepWarm: false, idleTimeout: '600', windows: [], timezone: 'UTC', budgetGroup: '' }, undefined, render)
    expect(off.body).toMatchObject({ platform: 'render-free', keep_warm: false, idle_timeout_seconds: 600 })
    expect(off.body).not.toHaveProperty('timezone')
    // Keep-warm without a platform.
    const bare = buildRequest({ ...emptyForm(), url: 'https://x.example', keepWarm: true, idleTimeout: '300' })
    expect(bare.body).toMatchObject({ keep_warm: true, idle_timeout_seconds: 300 })
    expect(bare.body).not.toHaveProperty('platform')
  })

  it('patches only the keep-warm fields that changed', () => {
    expect(buildRequest(formFromTarget(base), base).body).toEqual({})
    const v = {
      ...formFromTarget(base),
      timezone: 'UTC',
      budgetGroup: '',
      windows: [{ days: ['sat', 'sun'], start: '10:00', end: '14:00' }],
      idleTimeout: '',
    }
    expect(buildRequest(v, base).body).toEqual({
      timezone: 'UTC',
      budget_group: '',
      warm_windows: [{ days: ['sat', 'sun'], start: '10:00', end: '14:00' }],
      idle_timeout_seconds: 0,
    })
    expect(buildRequest({ ...formFromTarget(base), platform: '', keepWarm: false }, base).body).toEqual({
      platform: '',
      keep_warm: false,
    })
  })

  it("puts the API's window errors under the row's control, the rest under their fields", () => {
    const { byField, other } = placeErrors([
      { field: 'warm_windows[1].start', message: 'must be HH:MM' },
      { field: 'warm_windows[0].days', message: 'must name days such as mon' },
      { field: 'warm_windows[2]', message: 'overlaps window 1' },
      { field: 'timezone', message: 'must be an IANA time zone' },
      { field: 'interval_seconds', message: 'must be below idle_timeout_seconds' },
      { field: 'platform', message: 'must be one of render-free, …' },
      { field: 'idle_timeout_seconds', message: 'is required for keep_warm' },
      { field: 'budget_group', message: 'is too long' },
    ])
    expect(other).toEqual([])
    expect(byField).toEqual({
      'warm_windows[1].start': ['must be HH:MM'],
      'warm_windows[0].days': ['must name days such as mon'],
      windows: ['(window 3) overlaps window 1'],
      timezone: ['must be an IANA time zone'],
      interval: ['must be below idle_timeout_seconds'],
      platform: ['must be one of render-free, …'],
      idleTimeout: ['is required for keep_warm'],
      budgetGroup: ['is too long'],
    })
  })

  it('reports window rows it can tell are wrong before asking the API', () => {
    const v = { ...formFromTarget(base), windows: [{ days: [], start: '08:00', end: '20:00' }] }
    expect(buildRequest(v, base).errors).toEqual({ 'warm_windows[0].days': ['needs at least one day'] })
  })
})

describe('budget bars', () => {
  it('formats hours', () => {
    expect(formatHours(0)).toBe('0 h')
    expect(formatHours(12.46)).toBe('12.5 h')
    expect(formatHours(744.4)).toBe('744 h')
    expect(formatHours(1490)).toBe('1,490 h')
  })

  it('spans the pool when the plan fits', () => {
    const bar = budgetBar({ monthly_free_hours: 750, used_hours: 375, projected_hours: 600, planned_hours_per_month: 744, fits: true })
    expect(bar).toEqual({
      usedPct: 50,
      projectedPct: 80,
      plannedPct: 99.2,
      poolPct: 100,
      label: '375 h used, 600 h projected this month; the plan takes 744 h a month of 750 h',
      verdict: 'fits',
    })
  })

  it('spans the projection when it overruns, the pool marked inside', () => {
    const bar = budgetBar({ monthly_free_hours: 750, used_hours: 300, projected_hours: 1500, planned_hours_per_month: 1488, fits: false })
    expect(bar.verdict).toBe('over')
    expect(bar.poolPct).toBe(50)
    expect(bar.usedPct).toBe(20)
    expect(bar.projectedPct).toBe(100)
    expect(bar.plannedPct).toBe(99.2)
    // Early in the month: little projected, but the plan's month is what overruns.
    const early = budgetBar({ monthly_free_hours: 750, used_hours: 0, projected_hours: 186, planned_hours_per_month: 1014, fits: false })
    expect(early).toMatchObject({ verdict: 'over', plannedPct: 100, poolPct: 74 })
    expect(early.label).toBe('0 h used, 186 h projected this month; the plan takes 1,014 h a month of 750 h')
  })

  it('has no pool mark when the platform counts no hours', () => {
    const bar = budgetBar({ monthly_free_hours: null, used_hours: 0, projected_hours: 0, planned_hours_per_month: 0, fits: true })
    expect(bar).toMatchObject({ poolPct: null, verdict: 'no limit', usedPct: 0, projectedPct: 0, plannedPct: 0 })
    expect(bar.label).toBe('0 h used, 0 h projected this month; the plan takes 0 h a month (no free-hour limit)')
  })
})
