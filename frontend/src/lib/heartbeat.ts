// A heartbeat (cron-job) target as the dashboard shows it: the lines to paste into a
// job (curl, crontab), the deadline counting down, and its period and grace in the
// units people think in (minutes, hours, days).

/** curl that fails loudly, gives up after 10 s and retries a flaky network, as Healthchecks advises. */
export function curlLine(url: string): string {
  return `curl -fsS -m 10 --retry 5 -o /dev/null ${url}`
}

/** A placeholder schedule for the crontab line when the target has no cron of its own. */
export const PLACEHOLDER_SCHEDULE = '0 2 * * *'

/** The crontab line: the job, then the ping only when the job succeeded. */
export function crontabLine(url: string, cron?: string | null): string {
  const schedule = cron?.trim() || PLACEHOLDER_SCHEDULE
  return `${schedule} /path/to/job.sh && ${curlLine(url)}`
}

/**
 * A shell script that wraps the job: it says when the run starts (so the next ping
 * records how long it took) and reports the job's exit code, so a failure is down at once.
 */
export function shellScript(url: string): string {
  return [
    '#!/bin/sh',
    `curl -fsS -m 10 --retry 5 -o /dev/null ${startUrl(url)}`,
    '/path/to/job.sh',
    `curl -fsS -m 10 --retry 5 -o /dev/null ${url.replace(/\/+$/, '')}/$?`,
  ].join('\n')
}

/**
 * A systemd service for a timer-started job: the start before it, and its exit status
 * after it whatever happened ($$ is systemd's escape for a literal $).
 */
export function systemdUnit(url: string): string {
  const base = url.replace(/\/+$/, '')
  return [
    '[Service]',
    'Type=oneshot',
    `ExecStartPre=-/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null ${base}/start`,
    'ExecStart=/path/to/job.sh',
    `ExecStopPost=/bin/sh -c '/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null ${base}/$$EXIT_STATUS'`,
  ].join('\n')
}

/** The start and fail URLs below a ping URL. */
export function startUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/start`
}

export function failUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/fail`
}

/** "4m 12s", "2h 5m", "3d 4h", "30s": the two largest units. */
function compact(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`
}

export interface Deadline {
  text: string
  overdue: boolean
}

/**
 * The deadline in words, counting each second: "due in 4m 12s", "overdue by 30s", or
 * "waiting for the first ping" while there is none (a new heartbeat cannot fail yet).
 */
export function deadlineWords(deadline: string | null | undefined, now: number = Date.now()): Deadline {
  if (!deadline) return { text: 'Waiting for the first ping', overdue: false }
  const t = Date.parse(deadline)
  if (Number.isNaN(t)) return { text: 'Waiting for the first ping', overdue: false }
  const s = Math.ceil((t - now) / 1000)
  if (s > 0) return { text: `due in ${compact(s)}`, overdue: false }
  return { text: `overdue by ${compact(-s)}`, overdue: true }
}

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days'

export const UNIT_SECONDS: Readonly<Record<DurationUnit, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 }

/** A number of seconds in the largest unit that divides it: 86400 → 1 day, 5400 → 90 minutes, 45 → 45 seconds. */
export function toUnits(seconds: number): { amount: string; unit: DurationUnit } {
  if (seconds > 0 && seconds % 86_400 === 0) return { amount: String(seconds / 86_400), unit: 'days' }
  if (seconds > 0 && seconds % 3600 === 0) return { amount: String(seconds / 3600), unit: 'hours' }
  if (seconds > 0 && seconds % 60 === 0) return { amount: String(seconds / 60), unit: 'minutes' }
  return { amount: String(Math.max(0, Math.round(seconds))), unit: 'seconds' }
}

/** Seconds from an amount and unit (fractions allowed: 1.5 hours); NaN when the amount is not a number. */
export function fromUnits(amount: string | number, unit: DurationUnit): number {
  const v = String(amount ?? '').trim()
  if (!/^\d+(\.\d+)?$/.test(v)) return Number.NaN
  return Math.round(Number(v) * UNIT_SECONDS[unit])
}
