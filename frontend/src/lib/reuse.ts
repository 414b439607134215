// Keeps the identity of list items that did not change between two polls, so Vue
// re-renders only the rows whose data did (a row component whose props are the same
// objects is skipped).

/** Returns `next` with each item replaced by its equal predecessor (same key) when there is one. */
export function reuseUnchanged<T>(prev: readonly T[] | undefined, next: T[], key: (item: T) => string | number): T[] {
  if (!prev || prev.length === 0) return next
  const old = new Map<string | number, { item: T; json: string }>()
  for (const item of prev) old.set(key(item), { item, json: JSON.stringify(item) })
  let same = prev.length === next.length
  const out = next.map((item, i) => {
    const o = old.get(key(item))
    const kept = o && o.json === JSON.stringify(item) ? o.item : item
    if (kept !== prev[i]) same = false
    return kept
  })
  // Nothing changed at all: hand back the old array, so even the list is not re-rendered.
  return same ? (prev as T[]) : out
}
