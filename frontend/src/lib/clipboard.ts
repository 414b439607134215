// Copying to the clipboard. navigator.clipboard needs a secure origin (https or
// localhost) and the user's go-ahead; where it is missing or refused this answers
// false, and the caller says how to copy by hand.
export async function copyText(text: string): Promise<boolean> {
  try {
    if (typeof navigator === 'undefined' || !navigator.clipboard?.writeText) return false
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

/** What to press to copy, on this platform. */
export function copyShortcut(): string {
  const platform = typeof navigator === 'undefined' ? '' : navigator.platform || navigator.userAgent
  return /Mac|iPhone|iPad/i.test(platform) ? '⌘C' : 'Ctrl+C'
}
