import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { type ChartRange, useTargetDetail } from '../../src/detail/useTargetDetail'
import { initSession } from '../../src/stores/session'
import { json, settle } from './dom'

// The target page's data when the route moves to another target mid-load: answers
// for the old target are dropped, and its history-extending loop is aborted.

interface Pending {
  url: string
  signal: AbortSignal | null
  answer: (body: unknown) => void
}

let pending: Pending[] = []

function target(id: number) {
  return { id, name: `target-${id}`, url: `https://t${id}.example/`, is_active: true }
}

function recentChecks(id: number, n: number) {
  const now = Date.now()
  return {
    items: Array.from({ length: n }, (_, i) => ({
      id: id * 1000 + i,
      checked_at: new Date(now - i * 1000).toISOString(),
      ok: true,
      cold_start: false,
      latency_ms: 10,
      status_code: 200,
    })),
    total: n,
  }
}

beforeAll(() => {
  localStorage.setItem(
    'watchdog.auth',
    JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() }),
  )
  initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
})

afterEach(() => {
  vi.unstubAllGlobals()
  pending = []
})

/** A fetch whose answers the test gives, one request at a time. */
function stubFetch() {
  vi.stubGlobal(
    'fetch',
    (input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        const signal = init?.signal ?? null
        signal?.addEventListener('abort', () => reject(signal.reason))
        pending.push({ url: String(input), signal, answer: (body) => resolve(json(body)) })
      }),
  )
}

function take(pattern: RegExp): Pending {
  const i = pending.findIndex((p) => pattern.test(p.url))
  if (i < 0) throw new Error(`no pending request for ${pattern}: ${pending.map((p) => p.url).join(', ')}`)
  return pending.splice(i, 1)[0]!
}

function stats() {
  return { window: '24h', uptime_percent: 100, checks: 1, avg_latency_ms: 10 }
}

describe('useTargetDetail', () => {
  it('drops answers for the target the route left', async () => {
    stubFetch()
    const id = ref(1)
    const scope = effectScope()
    const d = scope.run(() => useTargetDetail(id, ref<ChartRange>('1h')))!
    await settle()
    const old = [take(/\/targets\/1$/), take(/\/targets\/1\/checks/), take(/\/targets\/1\/stats\?window=24h/)]

    id.value = 2
    await settle()
    // The old target's answers arrive late.
    old[0]!.answer(target(1))
    old[1]!.answer(recentChecks(1, 3))
    old[2]!.answer(stats())
    await settle()
    expect(d.target.value).toBeNull()
    expect(d.checks.value).toEqual([])

    take(/\/targets\/2$/).answer(target(2))
    take(/\/targets\/2\/checks/).answer(recentChecks(2, 3))
    take(/\/targets\/2\/stats\?window=24h/).answer(stats())
    await settle()
    expect(d.target.value?.id).toBe(2)
    expect(d.checks.value.every((c) => c.id >= 2000)).toBe(true)
    scope.stop()
  })

  it("aborts the old target's history loop on a new id, and on dispose", async () => {
    stubFetch()
    const id = ref(1)
    const scope = effectScope()
    const d = scope.run(() => useTargetDetail(id, ref<ChartRange>('7d')))!
    await settle()
    take(/\/targets\/1$/).answer(target(1))
    take(/\/targets\/1\/checks\?limit=100$/).answer(recentChecks(1, 100))
    take(/\/targets\/1\/stats\?window=24h/).answer(stats())
    await settle()
    // A full page of recent checks that does not reach back 7 days: older pages follow.
    const older = take(/\/targets\/1\/checks\?limit=1000&before=/)
    expect(d.loadingHistory.value).toBe(true)
    expect(older.signal?.aborted).toBe(false)

    id.value = 2
    await settle()
    expect(older.signal?.aborted).toBe(true)
    // The page of target 2 loads without waiting for target 1's history.
    take(/\/targets\/2$/).answer(target(2))
    take(/\/targets\/2\/checks\?limit=100$/).answer(recentChecks(2, 100))
    take(/\/targets\/2\/stats\?window=24h/).answer(stats())
    await settle()
    expect(d.target.value?.id).toBe(2)
    const older2 = take(/\/targets\/2\/checks\?limit=1000&before=/)
    expect(older2.signal?.aborted).toBe(false)

    scope.stop()
    expect(older2.signal?.aborted).toBe(true)
  })
})
