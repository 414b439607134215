// Times as people read them: relative in lists ("12 s ago"), absolute in tooltips in
// the browser's time zone, intervals in words ("every 10 min").

const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function relativeTime(at: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (at === null || at === undefined || at === '') return 'never'
  const t = toMs(at)
  if (Number.isNaN(t)) return 'never'
  const s = Math.floor((now - t) / 1000)
  // A clock a little ahead of ours still means "now".
  if (s < 1) return 'just now'
  if (s < MINUTE) return `${s} s ago`
  if (s < HOUR) return `${Math.floor(s / MINUTE)} min ago`
  if (s < DAY) return `${Math.floor(s / HOUR)} h ago`
  return `${Math.floor(s / DAY)} d ago`
}

/** "in 12 s", "in 3 min", … for times ahead; "now" once due. */
export function untilTime(at: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (at === null || at === undefined || at === '') return '—'
  const s = Math.ceil((toMs(at) - now) / 1000)
  if (Number.isNaN(s)) return '—'
  if (s <= 0) return 'now'
  if (s < MINUTE) return `in ${s} s`
  if (s < HOUR) return `in ${Math.round(s / MINUTE)} min`
  if (s < DAY) return `in ${Math.round(s / HOUR)} h`
  return `in ${Math.round(s / DAY)} d`
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
const shortFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })

/** The full date and time in the browser's zone, for tooltips. */
export function absoluteTime(at: string | number | Date | null | undefined): string {
  if (at === null || at === undefined || at === '') return ''
  const t = toMs(at)
  return Number.isNaN(t) ? '' : absoluteFormat.format(t)
}

/** A compact date and time for tables ("Nov 25, 01:02:04"). */
export function shortTime(at: string | number | Date): string {
  const t = toMs(at)
  return Number.isNaN(t) ? '' : shortFormat.format(t)
}

/** "every 30 s", "every minute", "every 10 min", "every 1 min 30 s", "every 2 h", "every day". */
export function intervalWords(seconds: number): string {
  return `every ${durationWords(seconds, true)}`
}

/** "30 s", "10 min", "1 min 30 s", "2 h", "1 d"; with `one`, "minute"/"hour"/"day" for 1. */
export function durationWords(seconds: number, one = false): string {
  const s = Math.max(0, Math.round(seconds))
  if (s === 0) return '0 s'
  if (s % DAY === 0) return unit(s / DAY, 'd', 'day', one)
  if (s % HOUR === 0) return unit(s / HOUR, 'h', 'hour', one)
  if (s % MINUTE === 0) return unit(s / MINUTE, 'min', 'minute', one)
  if (s < MINUTE) return unit(s, 's', 'second', one)
  if (s < HOUR) return `${Math.floor(s / MINUTE)} min ${s % MINUTE} s`
  const h = Math.floor(s / HOUR)
  const m = Math.floor((s % HOUR) / MINUTE)
  return m ? `${h} h ${m} min` : `${h} h ${s % MINUTE} s`
}

function unit(n: number, short: string, word: string, one: boolean): string {
  return n === 1 && one ? word : `${n} ${short}`
}

function toMs(at: string | number | Date): number {
  if (typeof at === 'number') return at
  if (at instanceof Date) return at.getTime()
  return Date.parse(at)
}
