import { type Ref, computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Check, Target, TargetStats } from '../api/types'
import { usePolling } from '../composables/usePolling'
import { useApi } from '../stores/session'
import { useTargetsVersion } from '../stores/targetEvents'

export type ChartRange = '1h' | '24h' | '7d'
export const RANGE_SECONDS: Record<ChartRange, number> = { '1h': 3600, '24h': 86_400, '7d': 604_800 }
export type StatsWindow = '24h' | '7d' | '30d'

const POLL_MS = 5000
const SLOW_POLL_MS = 60_000
const RECENT = 100
const PAGE = 1000
/** At most this many checks are held for the chart (a 7-day range of 30 s checks is 20,160). */
const MAX_CHECKS = 25_000
export const TABLE_PAGE = 50

/**
 * One target's page: the target, its uptime over 24 h / 7 d / 30 d, and its checks
 * (newest first), polled with If-None-Match. The checks grow backwards as far as the
 * chart's range or the table's "Load older checks" need.
 */
export function useTargetDetail(id: Ref<number>, range: Ref<ChartRange>) {
  const api = useApi()
  const target = shallowRef<Target | null>(null)
  const stats = shallowRef<Record<StatsWindow, TargetStats | null>>({ '24h': null, '7d': null, '30d': null })
  const checks = shallowRef<Check[]>([])
  const notFound = ref(false)
  const error = ref('')
  const loadingHistory = ref(false)
  /** No older checks exist than the oldest held. */
  const complete = ref(false)
  const tableSize = ref(TABLE_PAGE)

  let rawTarget: unknown
  let rawRecent: unknown
  const rawStats: Partial<Record<StatsWindow, unknown>> = {}
  /** Ends the history-extending loop of the target shown before (or of the page). */
  let history = new AbortController()

  function report(err: unknown) {
    if (err instanceof Error && err.name === 'AbortError') return
    if (err instanceof NetworkError) return
    if (err instanceof ApiError && err.status === 404) {
      notFound.value = true
      return
    }
    if (err instanceof ApiError && err.status === 401) return
    error.value = err instanceof Error ? err.message : String(err)
  }

  /** Adds checks (any order) to the held ones, newest first, each once. */
  function merge(more: readonly Check[]) {
    if (more.length === 0) return
    const byId = new Map<number, Check>()
    for (const c of checks.value) byId.set(c.id, c)
    let added = false
    for (const c of more) {
      if (!byId.has(c.id)) {
        byId.set(c.id, c)
        added = true
      }
    }
    if (!added) return
    checks.value = [...byId.values()]
      .sort((a, b) => Date.parse(b.checked_at) - Date.parse(a.checked_at) || b.id - a.id)
      .slice(0, MAX_CHECKS)
  }

  async function loadStats(window: StatsWindow) {
    const asked = id.value
    const s = await api.get('/targets/{id}/stats', { path: { id: asked }, query: { window }, cache: true })
    if (asked !== id.value) return // another target is shown by now
    if (s !== rawStats[window]) {
      rawStats[window] = s
      stats.value = { ...stats.value, [window]: s }
    }
  }

  async function loadFast() {
    const asked = id.value
    try {
      const [t, recent] = await Promise.all([
        api.get('/targets/{id}', { path: { id: asked }, cache: true }),
        api.get('/targets/{id}/checks', { path: { id: asked }, query: { limit: RECENT }, cache: true }),
        loadStats('24h'),
      ])
      // The route moved on to another target meanwhile: these answers are not its.
      if (asked !== id.value || t.id !== asked) return
      notFound.value = false
      error.value = ''
      if (t !== rawTarget) {
        rawTarget = t
        target.value = t
      }
      if (recent !== rawRecent) {
        rawRecent = recent
        merge(recent.items)
        if (recent.items.length < RECENT && checks.value.length <= RECENT) complete.value = true
      }
      await extendTo(oldestNeeded())
    } catch (err) {
      if (asked === id.value) report(err)
    }
  }

  async function loadSlow() {
    const asked = id.value
    try {
      await Promise.all([loadStats('7d'), loadStats('30d')])
    } catch (err) {
      if (asked === id.value) report(err)
    }
  }

  function oldestNeeded(): number {
    return Date.now() - RANGE_SECONDS[range.value] * 1000
  }

  /** Fetches older pages until the held checks reach back to `since` (ms) or run out. */
  async function extendTo(since: number, minCount = 0) {
    if (loadingHistory.value) return
    const run = history
    const asked = id.value
    loadingHistory.value = true
    try {
      while (!complete.value && checks.value.length < MAX_CHECKS && !run.signal.aborted) {
        const oldest = checks.value[checks.value.length - 1]
        if (!oldest) break
        if (Date.parse(oldest.checked_at) <= since && checks.value.length >= minCount) break
        const page = await api.get('/targets/{id}/checks', {
          path: { id: asked },
          query: { limit: PAGE, before: oldest.checked_at },
          signal: run.signal,
        })
        if (run.signal.aborted || asked !== id.value) return
        merge(page.items)
        if (page.items.length < PAGE) complete.value = true
      }
    } finally {
      // An aborted loop leaves the flag to the one that replaced it.
      if (run === history) loadingHistory.value = false
    }
  }

  function stopHistory() {
    history.abort()
    history = new AbortController()
    loadingHistory.value = false
  }

  async function loadOlder() {
    tableSize.value += TABLE_PAGE
    try {
      await extendTo(Number.POSITIVE_INFINITY, tableSize.value)
    } catch (err) {
      report(err)
    }
  }

  const fast = usePolling(loadFast, { intervalMs: POLL_MS })
  const slow = usePolling(loadSlow, { intervalMs: SLOW_POLL_MS })

  watch(useTargetsVersion(), () => {
    void fast.refresh()
    void slow.refresh()
  })
  watch(range, () => void extendTo(oldestNeeded()).catch(report))
  watch(id, () => {
    stopHistory()
    target.value = null
    checks.value = []
    stats.value = { '24h': null, '7d': null, '30d': null }
    complete.value = false
    tableSize.value = TABLE_PAGE
    rawTarget = rawRecent = undefined
    for (const w of Object.keys(rawStats) as StatsWindow[]) delete rawStats[w]
    void fast.refresh()
    void slow.refresh()
  })

  onScopeDispose(() => history.abort())

  const tableChecks = computed(() => checks.value.slice(0, tableSize.value))
  const hasOlder = computed(() => !complete.value || checks.value.length > tableSize.value)

  /** When the first check held was made, if no older one exists (a young target). */
  const firstCheckAt = computed(() => {
    const oldest = checks.value[checks.value.length - 1]
    return complete.value && oldest ? Date.parse(oldest.checked_at) : null
  })

  return { target, stats, checks, tableChecks, hasOlder, firstCheckAt, notFound, error, loadingHistory, loadOlder }
}
