import { getCurrentScope, onScopeDispose, readonly, ref } from 'vue'

export interface PollingOptions {
  /** Time between the end of one run and the start of the next. */
  intervalMs: number
  /** Run at once when started (default true). */
  immediate?: boolean
  /** The document whose visibility pauses polling (tests pass their own). */
  doc?: Document
}

/**
 * Runs `task` every `intervalMs` while the page is visible: never two runs at once, a
 * failed run does not stop the next, polling stops while the tab is hidden and runs
 * at once when it is shown again. Stops with the component (effect scope) using it.
 */
export function usePolling(task: () => Promise<unknown>, opts: PollingOptions) {
  const doc = opts.doc ?? (typeof document === 'undefined' ? undefined : document)
  const active = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let again = false
  let started = false

  const hidden = () => doc?.visibilityState === 'hidden'

  function clear() {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  function schedule() {
    clear()
    if (!started || hidden()) return
    timer = setTimeout(run, opts.intervalMs)
  }

  async function run(): Promise<void> {
    clear()
    if (!started || hidden()) return
    if (running) {
      // Asked again mid-run (a filter changed): run once more right after.
      again = true
      return
    }
    running = true
    active.value = true
    try {
      await task()
    } catch {
      // The task reports its own errors; polling goes on.
    } finally {
      running = false
      active.value = false
    }
    if (again) {
      again = false
      return run()
    }
    schedule()
  }

  function onVisibility() {
    if (hidden()) clear()
    else if (started) void run()
  }

  function start() {
    if (started) return
    started = true
    doc?.addEventListener('visibilitychange', onVisibility)
    if (opts.immediate === false) schedule()
    else void run()
  }

  function stop() {
    started = false
    again = false
    clear()
    doc?.removeEventListener('visibilitychange', onVisibility)
  }

  start()
  if (getCurrentScope()) onScopeDispose(stop)

  return {
    /** Runs now (or right after the current run) and restarts the interval. */
    refresh: () => run(),
    stop,
    start,
    /** Whether a run is in flight. */
    running: readonly(active),
  }
}
