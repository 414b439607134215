// The keep-warm target page's 7-day strip: one row per day (in the target's time
// zone, newest last) of 24 hour cells, each awake, asleep, outside the warm windows,
// or without data. Pure, so it can be tested on its own.
import type { WarmWindow } from '../api/types'

export type CellState = 'awake' | 'asleep' | 'outside' | 'nodata'

export const CELL_WORDS: Record<CellState, string> = {
  awake: 'awake',
  asleep: 'asleep',
  outside: 'outside window',
  nodata: 'no data',
}

export interface StripCell {
  /** Start of the hour, ms since the epoch. */
  at: number
  state: CellState
}

export interface StripDay {
  /** "Mon 24 Nov" */
  label: string
  cells: StripCell[]
  counts: Record<CellState, number>
  /** "Mon 24 Nov: awake 12 h, asleep 0 h, outside window 12 h" (", no data 3 h" when any). */
  summary: string
}

export interface StripInput {
  checks: readonly { checked_at: string; ok: boolean }[]
  windows: readonly WarmWindow[]
  timezone: string
  /** After a success the service stays awake this long; null counts only the hour of the check. */
  idleSeconds: number | null
  /** When the target was created (ms): hours that end before it have no data. */
  createdAt: number
  /** Hours before this (ms) have no data either, e.g. older than the checks held. */
  dataFrom?: number
  now: number
  days?: number
}

const HOUR = 3_600_000
const WEEK_MIN = 7 * 1440
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const SHORT_WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 }
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

interface Local {
  year: number
  month: number
  day: number
  /** 0 = Monday */
  weekday: number
  hour: number
  minute: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** A zone Intl knows, else UTC. */
export function validZone(tz: string): string {
  if (!tz) return 'UTC'
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return tz
  } catch {
    return 'UTC'
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
    formatters.set(tz, f)
  }
  return f
}

/** The wall clock in `tz` at instant `t` (ms). */
export function localParts(t: number, tz: string): Local {
  const p: Record<string, string> = {}
  for (const part of formatter(tz).formatToParts(new Date(t))) p[part.type] = part.value
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: SHORT_WEEKDAY[p.weekday!] ?? 0,
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
  }
}

/** How far `tz` is ahead of UTC at instant `t`, in ms. */
function offset(t: number, tz: string): number {
  const l = localParts(t, tz)
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute)
  return wall - Math.floor(t / 60_000) * 60_000
}

/** The instant local midnight starts the given date in `tz`. */
function localMidnight(year: number, month: number, day: number, tz: string): number {
  const guess = Date.UTC(year, month - 1, day)
  const first = guess - offset(guess, tz)
  return guess - offset(first, tz)
}

/** The windows as intervals of minutes from Monday 00:00; overnight ones run into the next day. */
function windowMinutes(windows: readonly WarmWindow[]): [number, number][] {
  const out: [number, number][] = []
  const min = (hhmm: string) => {
    const [h, m] = hhmm.split(':')
    return Number(h) * 60 + Number(m)
  }
  for (const w of windows) {
    const s = min(w.start)
    let e = min(w.end)
    if (e <= s) e += 1440
    for (const d of w.days) {
      const i = WEEKDAYS.indexOf(d.toLowerCase())
      if (i >= 0) out.push([i * 1440 + s, i * 1440 + e])
    }
  }
  return out
}

/** Whether the local hour starting at `l` overlaps any window (minutes from Monday). */
function inWindows(l: Local, intervals: readonly [number, number][]): boolean {
  const s = l.weekday * 1440 + l.hour * 60 + l.minute
  const e = s + 60
  for (const [ws, we] of intervals) {
    for (const shift of [-WEEK_MIN, 0, WEEK_MIN]) {
      if (ws + shift < e && we + shift > s) return true
    }
  }
  return false
}

/** The last index in ascending `xs` with a value below `x`, or -1. */
function lastBelow(xs: readonly number[], x: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

export function dayLabel(l: Pick<Local, 'weekday' | 'day' | 'month'>): string {
  const wd = WEEKDAYS[l.weekday]!
  return `${wd[0]!.toUpperCase()}${wd.slice(1)} ${l.day} ${MONTHS[l.month - 1]}`
}

/** The strip: `days` rows (default 7), oldest first, of 24 cells each. */
export function warmStrip(input: StripInput): StripDay[] {
  const tz = validZone(input.timezone)
  const days = input.days ?? 7
  const idle = Math.max(0, input.idleSeconds ?? 0) * 1000
  const from = Math.max(input.createdAt, input.dataFrom ?? Number.NEGATIVE_INFINITY)
  const intervals = windowMinutes(input.windows)
  const always = input.windows.length === 0
  const successes = input.checks
    .filter((c) => c.ok)
    .map((c) => Date.parse(c.checked_at))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b)

  const today = localParts(input.now, tz)
  const rows: StripDay[] = []
  for (let k = days - 1; k >= 0; k--) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day - k))
    const start = localMidnight(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), tz)
    const counts: Record<CellState, number> = { awake: 0, asleep: 0, outside: 0, nodata: 0 }
    const cells: StripCell[] = []
    for (let h = 0; h < 24; h++) {
      const at = start + h * HOUR
      const end = at + HOUR
      let state: CellState
      if (end <= from || at >= input.now) state = 'nodata'
      else if (!always && !inWindows(localParts(at, tz), intervals)) state = 'outside'
      else {
        // The latest success before the hour ends covers it if it (plus the idle limit) reaches into it.
        const i = lastBelow(successes, end)
        state = i >= 0 && successes[i]! + idle >= at ? 'awake' : 'asleep'
      }
      counts[state]++
      cells.push({ at, state })
    }
    const label = dayLabel({ weekday: (date.getUTCDay() + 6) % 7, day: date.getUTCDate(), month: date.getUTCMonth() + 1 })
    const nodata = counts.nodata ? `, no data ${counts.nodata} h` : ''
    rows.push({
      label,
      cells,
      counts,
      summary: `${label}: awake ${counts.awake} h, asleep ${counts.asleep} h, outside window ${counts.outside} h${nodata}`,
    })
  }
  return rows
}

/** A median wake time: "31 s", "1.5 s", "850 ms", "—" when none. */
export function formatWake(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`
  return `${Math.round(ms / 1000)} s`
}
