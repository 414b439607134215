import { onScopeDispose, readonly, ref } from 'vue'

// One clock for every "12 s ago" on the page: a ref that ticks each second while
// anything uses it, so relative times stay live without each keeping a timer.
const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

export function useNow() {
  if (users++ === 0) {
    now.value = Date.now()
    timer = setInterval(() => {
      // Nobody reads a hidden tab; the first tick after it is shown catches up.
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') now.value = Date.now()
    }, 1000)
  }
  onScopeDispose(() => {
    if (--users === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  })
  return readonly(now)
}
