// What a target's state and its recent checks mean, in words as well as colours.
import type { Beat, Check, Stats, Target } from '../api/types'
import { formatLatency } from './format'
import { absoluteTime } from './time'

export type TargetStatus = 'up' | 'down' | 'unknown' | 'paused'
export type StatusFilter = TargetStatus | 'active'

export const STATUS_LABELS: Record<TargetStatus, string> = {
  up: 'Up',
  down: 'Down',
  unknown: 'Unknown',
  paused: 'Paused',
}

/** A paused target is "paused" whatever its last check said. */
export function targetStatus(t: Pick<Target, 'is_active' | 'last_status'>): TargetStatus {
  if (!t.is_active) return 'paused'
  return t.last_status
}

export function statusLabel(s: TargetStatus): string {
  return STATUS_LABELS[s]
}

/** One tick of the heartbeat strip. */
export type BeatKind = 'up' | 'down' | 'cold' | 'none'

export function beatKind(b: Pick<Beat, 'ok' | 'cold_start'> | null | undefined): BeatKind {
  if (!b) return 'none'
  if (!b.ok) return 'down'
  return b.cold_start ? 'cold' : 'up'
}

export const BEAT_LABELS: Record<BeatKind, string> = {
  up: 'up',
  down: 'down',
  cold: 'cold start',
  none: 'no check',
}

/**
 * The last `size` checks, oldest first, padded on the left with empty slots so that
 * the newest is always the rightmost tick and the strip keeps its width.
 */
export function padBeats<T>(checks: readonly T[], size = 30): (T | null)[] {
  const recent = checks.slice(-size)
  return [...Array<null>(size - recent.length).fill(null), ...recent]
}

/** A tick's tooltip: "Nov 25, 2026, 1:02:04 AM · 200 · 87 ms · up". */
export function beatTitle(b: Beat | Check): string {
  const code = b.status_code === null ? 'no response' : String(b.status_code)
  return `${absoluteTime(b.checked_at)} · ${code} · ${formatLatency(b.latency_ms)} · ${BEAT_LABELS[beatKind(b)]}`
}

/** The strip in words, for screen readers: "Last 30 checks: 28 up, 1 down, 1 cold start". */
export function beatsSummary(checks: readonly Pick<Beat, 'ok' | 'cold_start'>[]): string {
  if (checks.length === 0) return 'No checks yet'
  let up = 0
  let down = 0
  let cold = 0
  for (const c of checks) {
    const k = beatKind(c)
    if (k === 'up') up++
    else if (k === 'down') down++
    else if (k === 'cold') cold++
  }
  const parts = [`${up} up`]
  if (down) parts.push(`${down} down`)
  if (cold) parts.push(`${cold} cold start${cold === 1 ? '' : 's'}`)
  const n = checks.length
  return `Last ${n === 1 ? 'check' : `${n} checks`}: ${parts.join(', ')}`
}

/** The top bar's one line: "All 42 targets up", "2 down", "No targets yet". */
export function summaryText(s: Stats): string {
  if (s.total === 0) return 'No targets yet'
  if (s.down > 0) return `${s.down} down`
  if (s.active === 0) return s.total === 1 ? 'The target is paused' : `All ${s.total} targets paused`
  if (s.up === s.active) {
    const noun = s.active === 1 ? 'target' : 'targets'
    const all = s.active === 1 ? `${s.active} ${noun} up` : `All ${s.active} ${noun} up`
    return s.paused ? `${all}, ${s.paused} paused` : all
  }
  return `${s.up} up, ${s.unknown} unknown`
}

/** A check's outcome in words: "Up · 200 · 87 ms", "Down · 500 · 3 ms", "Down · timeout". */
export function checkSummary(c: Pick<Check, 'ok' | 'status_code' | 'latency_ms' | 'error' | 'cold_start'>): string {
  const parts = [c.ok ? 'Up' : 'Down']
  if (c.status_code !== null) parts.push(String(c.status_code))
  parts.push(formatLatency(c.latency_ms))
  if (c.cold_start) parts.push('cold start')
  if (!c.ok && c.error) parts.push(c.error)
  return parts.join(' · ')
}
