// API keys as the dashboard shows and makes them: when one expires (a date picked in
// the browser's zone means "until the end of that day"), whether it has, and a curl
// command that uses a new key.

/** "2026-12-31" → the instant that day ends in the browser's zone, as ISO 8601; null for "". */
export function expiryFromDate(date: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim())
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const start = new Date(y, mo - 1, d)
  if (start.getFullYear() !== y || start.getMonth() !== mo - 1 || start.getDate() !== d) return null
  // Midnight at the start of the next day: the key works all of the chosen day.
  return new Date(y, mo - 1, d + 1).toISOString()
}

/** Today in the browser's zone as "YYYY-MM-DD" (the earliest expiry date to offer). */
export function localDate(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

export function isExpired(expiresAt: string | null | undefined, now: number = Date.now()): boolean {
  if (!expiresAt) return false
  const t = Date.parse(expiresAt)
  return !Number.isNaN(t) && t <= now
}

/** A command that lists the targets with the key: the first thing to try with it. */
export function curlExample(apiRoot: string, key: string): string {
  return `curl -H "Authorization: Bearer ${key}" ${apiRoot.replace(/\/+$/, '')}/targets`
}
