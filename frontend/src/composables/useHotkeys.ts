import { onBeforeUnmount, onMounted } from 'vue'

/**
 * Single-key shortcuts (`/`, `n`) for the whole page. They stay quiet while the user
 * types in a field, holds a modifier, or when `enabled()` says no (a dialog is open).
 */
export function useHotkeys(keys: Record<string, () => void>, enabled: () => boolean = () => true) {
  function onKey(e: KeyboardEvent) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return
    if (isTyping(e.target) || !enabled()) return
    const action = keys[e.key]
    if (!action) return
    e.preventDefault()
    action()
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(type)
}
