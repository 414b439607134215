// Keep-warm in words and numbers: the interval the server derives from a host's idle
// limit (and why), weekly windows (editor rows ↔ the API's warm_windows, summaries such
// as "Mon–Fri 08:00–20:00 Europe/Berlin"), and free-hour budget bars. Pure, so it can be
// tested on its own.
import type { WarmWindow } from '../api/types'
import { durationWords } from './time'

/** The server's defaults when the form leaves timeout and retry delay empty. */
export const DEFAULT_TIMEOUT_SECONDS = 10
export const DEFAULT_RETRY_DELAY_SECONDS = 15
export const MAX_INTERVAL_SECONDS = 86400

export const DAYS = [
  { key: 'mon', short: 'Mon', long: 'Monday' },
  { key: 'tue', short: 'Tue', long: 'Tuesday' },
  { key: 'wed', short: 'Wed', long: 'Wednesday' },
  { key: 'thu', short: 'Thu', long: 'Thursday' },
  { key: 'fri', short: 'Fri', long: 'Friday' },
  { key: 'sat', short: 'Sat', long: 'Saturday' },
  { key: 'sun', short: 'Sun', long: 'Sunday' },
] as const

export type DayKey = (typeof DAYS)[number]['key']
const DAY_KEYS: readonly string[] = DAYS.map((d) => d.key)

/**
 * The interval a keep-warm target gets when the request leaves it out, as the server
 * computes it: the longest that still leaves room, before the idle limit, for a failed
 * attempt (timeout), the wait before the retry and the retry itself (timeout again).
 * At least 1 s, at most a day.
 */
export function keepWarmInterval(idle: number, timeout = DEFAULT_TIMEOUT_SECONDS, retryDelay = DEFAULT_RETRY_DELAY_SECONDS): number {
  const n = idle - (2 * Math.max(timeout, 0) + Math.max(retryDelay, 0))
  return Math.min(MAX_INTERVAL_SECONDS, Math.max(1, n))
}

/**
 * Why that interval: "every 14 min 25 s: Render free web service sleeps after 15 min
 * idle; this leaves room for a 10 s timeout, a 15 s wait and a retry".
 */
export function intervalExplanation(
  idle: number,
  timeout = DEFAULT_TIMEOUT_SECONDS,
  retryDelay = DEFAULT_RETRY_DELAY_SECONDS,
  who = 'the service',
): string {
  const n = keepWarmInterval(idle, timeout, retryDelay)
  const sleeps = `${who} sleeps after ${durationWords(idle)} idle`
  const room = `a ${durationWords(timeout)} timeout, a ${durationWords(retryDelay)} wait and a retry`
  if (idle - (2 * timeout + retryDelay) < 1) return `every 1 s: ${sleeps}, too soon to leave room for ${room}`
  if (n === MAX_INTERVAL_SECONDS && idle - (2 * timeout + retryDelay) > n)
    return `every ${durationWords(n)}: ${sleeps}; this is the longest interval allowed`
  return `every ${durationWords(n)}: ${sleeps}; this leaves room for ${room}`
}

// ---- weekly windows ----------------------------------------------------------------

/** One row of the window editor. */
export interface WindowRow {
  days: string[]
  start: string
  end: string
}

export type WindowField = 'days' | 'start' | 'end'
/** Where a window row's errors go: "warm_windows[1].start", as the API names them. */
export type WindowErrorKey = `warm_windows[${number}].${WindowField}`

export function windowKey(index: number, field: WindowField): WindowErrorKey {
  return `warm_windows[${index}].${field}`
}

/** A new row: weekdays, office hours. */
export function newWindowRow(): WindowRow {
  return { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }
}

export function rowFromWindow(w: WarmWindow): WindowRow {
  return { days: sortDays(w.days), start: w.start, end: w.end }
}

/** Days in week order, each once; unknown names kept at the end (the API will say). */
export function sortDays(days: readonly string[]): string[] {
  const unique = [...new Set(days.map((d) => d.toLowerCase()))]
  return unique.sort((a, b) => rank(a) - rank(b))
}

function rank(day: string): number {
  const i = DAY_KEYS.indexOf(day)
  return i < 0 ? DAY_KEYS.length : i
}

/** Toggles a day in a row's days, keeping week order. */
export function toggleDay(days: readonly string[], day: string): string[] {
  return days.includes(day) ? days.filter((d) => d !== day) : sortDays([...days, day])
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** The API's warm_windows from the editor's rows, or the errors the form can tell by itself. */
export function windowsFromRows(rows: readonly WindowRow[]): {
  windows: WarmWindow[]
  errors: Partial<Record<WindowErrorKey, string[]>>
} {
  const errors: Partial<Record<WindowErrorKey, string[]>> = {}
  const windows = rows.map((r, i) => {
    if (!r.days.length) errors[windowKey(i, 'days')] = ['needs at least one day']
    // <input type="time"> may hand over seconds ("08:00:00"): keep hours and minutes.
    const start = r.start.trim().slice(0, 5)
    const end = r.end.trim().slice(0, 5)
    if (!start) errors[windowKey(i, 'start')] = ['is required']
    else if (!HHMM.test(start)) errors[windowKey(i, 'start')] = ['must be a time such as 08:00']
    if (!end) errors[windowKey(i, 'end')] = ['is required']
    else if (!HHMM.test(end)) errors[windowKey(i, 'end')] = ['must be a time such as 20:00']
    else if (end === start && start) errors[windowKey(i, 'end')] = ['must differ from the start']
    return { days: sortDays(r.days), start, end }
  })
  return { windows, errors }
}

export function sameWindows(a: readonly WarmWindow[], b: readonly WarmWindow[]): boolean {
  const norm = (ws: readonly WarmWindow[]) => JSON.stringify(ws.map((w) => [sortDays(w.days), w.start, w.end]))
  return norm(a) === norm(b)
}

/**
 * Days in words: "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri", "Mon–Wed, Fri", "every day".
 * Three or more days in a row make a range.
 */
export function daysSummary(days: readonly string[]): string {
  const idx = sortDays(days)
    .map((d) => DAY_KEYS.indexOf(d))
    .filter((i) => i >= 0)
  if (idx.length === 7) return 'every day'
  if (!idx.length) return 'no days'
  const parts: string[] = []
  let i = 0
  while (i < idx.length) {
    let j = i
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++
    const name = (k: number) => DAYS[idx[k]!]!.short
    if (j - i >= 2) parts.push(`${name(i)}–${name(j)}`)
    else for (let k = i; k <= j; k++) parts.push(name(k))
    i = j + 1
  }
  return parts.join(', ')
}

/** "Mon–Fri 08:00–20:00"; a window that runs past midnight says so. */
export function windowSummary(w: WarmWindow): string {
  const overnight = w.end < w.start ? ' (next day)' : ''
  return `${daysSummary(w.days)} ${w.start}–${w.end}${overnight}`
}

/** "Mon–Fri 08:00–20:00 Europe/Berlin", "Mon–Fri 08:00–12:00; Sat 10:00–14:00 UTC", "always". */
export function windowsSummary(windows: readonly WarmWindow[], timezone: string): string {
  if (!windows.length) return 'always'
  return `${windows.map(windowSummary).join('; ')} ${timezone || 'UTC'}`
}

// ---- time zones --------------------------------------------------------------------

export const COMMON_TIMEZONES: readonly string[] = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Amsterdam',
  'Europe/Madrid',
  'Europe/Warsaw',
  'Europe/Kyiv',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
]

/** The browser's own zone first, then the common ones. */
export function timezoneChoices(browserZone: string | undefined = browserTimezone()): string[] {
  return [...new Set([...(browserZone ? [browserZone] : []), ...COMMON_TIMEZONES])]
}

export function browserTimezone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined
  } catch {
    return undefined
  }
}

// ---- free-hour budgets -------------------------------------------------------------

/** What a budget bar needs: the API's Budget, as far as the bar reads it. */
export interface BudgetNumbers {
  monthly_free_hours: number | null
  used_hours: number
  projected_hours: number
  planned_hours_per_month: number
  fits: boolean
}

export interface BudgetBar {
  /** Widths in percent of the bar. */
  usedPct: number
  projectedPct: number
  /** What the plan costs in a whole (31-day) month: what `fits` is judged on. */
  plannedPct: number
  /** Where the pool ends, in percent of the bar; null without a pool. */
  poolPct: number | null
  /** "312.5 h used, 701 h projected this month; the plan takes 744 h a month of 750 h" */
  label: string
  /** "fits" or "over" (or "no limit" without a pool). */
  verdict: 'fits' | 'over' | 'no limit'
}

/** "0 h", "12.5 h", "744 h", "1,490 h": one decimal below 100, whole hours above. */
export function formatHours(h: number): string {
  const v = Math.max(0, h)
  const shown = v < 100 ? Math.round(v * 10) / 10 : Math.round(v)
  return `${shown.toLocaleString('en-US')} h`
}

/**
 * The bar's geometry: it spans the largest of the pool, the projection and the plan's
 * monthly cost, so an overrun shows past the pool's mark.
 */
export function budgetBar(b: BudgetNumbers): BudgetBar {
  const pool = b.monthly_free_hours
  const scale = Math.max(pool ?? 0, b.projected_hours, b.used_hours, b.planned_hours_per_month, 1e-9)
  const pct = (h: number) => Math.round(Math.min(100, Math.max(0, (h / scale) * 100)) * 10) / 10
  const verdict = pool === null ? 'no limit' : b.fits ? 'fits' : 'over'
  const of = pool === null ? ' (no free-hour limit)' : ` of ${formatHours(pool)}`
  return {
    usedPct: pct(b.used_hours),
    projectedPct: pct(Math.max(b.projected_hours, b.used_hours)),
    plannedPct: pct(b.planned_hours_per_month),
    poolPct: pool === null ? null : pct(pool),
    label: `${formatHours(b.used_hours)} used, ${formatHours(b.projected_hours)} projected this month; the plan takes ${formatHours(b.planned_hours_per_month)} a month${of}`,
    verdict,
  }
}

// ---- platforms ---------------------------------------------------------------------

/**
 * What to warn about a preset, as the server does: HTTP pings that do not (or may not)
 * keep the service awake. Nothing for "custom" and for hosts where pings work.
 */
export function platformWarning(p: { key: string; name: string; activity: string; pings_keep_awake: boolean | null }): string {
  if (p.key === 'custom') return ''
  if (p.pings_keep_awake === null)
    return `Unconfirmed: HTTP pings may not keep ${p.name} awake (it counts ${p.activity}).`
  if (!p.pings_keep_awake) return `${p.name}: HTTP pings do not keep it awake (it counts ${p.activity}); keep-warm cannot help here.`
  return ''
}
