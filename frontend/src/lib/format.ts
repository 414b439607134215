// Numbers and URLs as the dashboard shows them.

/** "87 ms", "1.24 s", "—" when there is none. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

/** An uptime ratio (0..1) as a percentage: "99.95 %", "100 %"; "—" when unknown. */
export function formatUptime(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—'
  const pct = ratio * 100
  if (pct >= 100) return '100 %'
  if (pct <= 0) return '0 %'
  // Never round up to 100 % while something failed, nor down to 0 while something worked.
  const digits = pct >= 99 ? 2 : 1
  const f = 10 ** digits
  const shown = pct > 0 ? Math.max(Math.floor(pct * f) / f, 1 / f) : 0
  return `${shown.toFixed(digits)} %`
}

/** Thousands separators in the browser's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString()
}

/** Shortens a long URL in the middle, keeping its host and the end of its path. */
export function shortenMiddle(text: string, max = 60): string {
  if (text.length <= max) return text
  const keepEnd = Math.floor((max - 1) / 3)
  const keepStart = max - 1 - keepEnd
  return `${text.slice(0, keepStart)}…${text.slice(text.length - keepEnd)}`
}
