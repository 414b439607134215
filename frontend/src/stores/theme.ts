import { readonly, ref } from 'vue'

// Dark by default; follows the system's prefers-color-scheme until the user picks a
// theme, which is then remembered. The choice is a data-theme attribute on <html>
// that the CSS variables in styles/theme.css key on.

export type ThemeChoice = 'system' | 'dark' | 'light'
const KEY = 'watchdog.theme'

const choice = ref<ThemeChoice>('system')
const effective = ref<'dark' | 'light'>('dark')
let media: MediaQueryList | null = null

function systemTheme(): 'dark' | 'light' {
  return media?.matches ? 'light' : 'dark'
}

function apply(): void {
  effective.value = choice.value === 'system' ? systemTheme() : choice.value
  const root = document.documentElement
  if (choice.value === 'system') root.removeAttribute('data-theme')
  else root.setAttribute('data-theme', choice.value)
}

/** Reads the saved choice and applies it; call first thing, before mounting. */
export function initTheme(): void {
  try {
    const saved = localStorage.getItem(KEY)
    if (saved === 'dark' || saved === 'light') choice.value = saved
  } catch {
    // Storage may be off; the default holds.
  }
  media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : null
  media?.addEventListener('change', apply)
  apply()
}

export function useTheme() {
  return {
    choice: readonly(choice),
    effective: readonly(effective),
    setTheme(next: ThemeChoice) {
      choice.value = next
      try {
        if (next === 'system') localStorage.removeItem(KEY)
        else localStorage.setItem(KEY, next)
      } catch {
        // Not remembered, still applied.
      }
      apply()
    },
  }
}
