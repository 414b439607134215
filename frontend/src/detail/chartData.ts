import type { AlignedData } from 'uplot'
import type { Check } from '../api/types'

/**
 * The chart's columns from checks (newest first, as the API lists them), oldest first:
 * time (s), latency of successful checks, latency of failures, latency of cold starts.
 * A failure leaves a gap in the line and a red point; a cold start an amber point.
 */
export function chartColumns(checks: readonly Check[], sinceMs: number): AlignedData {
  const xs: number[] = []
  const ok: (number | null)[] = []
  const failed: (number | null)[] = []
  const cold: (number | null)[] = []
  for (let i = checks.length - 1; i >= 0; i--) {
    const c = checks[i]!
    const t = Date.parse(c.checked_at)
    if (t < sinceMs) continue
    xs.push(t / 1000)
    ok.push(c.ok ? c.latency_ms : null)
    failed.push(c.ok ? null : c.latency_ms)
    cold.push(c.ok && c.cold_start ? c.latency_ms : null)
  }
  return [xs, ok, failed, cold]
}

/** The chart in words, for screen readers. */
export function chartSummary(data: AlignedData, rangeLabel: string): string {
  const n = data[0].length
  if (n === 0) return `No checks in the ${rangeLabel}`
  const count = (col: AlignedData[number]) => (col as (number | null)[]).filter((v) => v !== null).length
  const ok = (data[1] as (number | null)[]).filter((v): v is number => v !== null).sort((a, b) => a - b)
  const median = ok.length ? ok[Math.floor((ok.length - 1) / 2)] : null
  const parts = [`${n} checks in the ${rangeLabel}`]
  if (median !== null && median !== undefined) parts.push(`median latency ${median} ms`)
  parts.push(`${count(data[2]!)} failed`)
  parts.push(`${count(data[3]!)} cold starts`)
  return `Latency chart: ${parts.join(', ')}`
}
