import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { usePolling } from '../../src/composables/usePolling'

// Polling in a DOM (happy-dom): every 5 s, never overlapping, paused while the tab is
// hidden, at once when it is shown again, stopped with its component.

let visibility: DocumentVisibilityState = 'visible'

function setVisibility(v: DocumentVisibilityState) {
  visibility = v
  document.dispatchEvent(new Event('visibilitychange'))
}

beforeEach(() => {
  vi.useFakeTimers()
  visibility = 'visible'
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility })
})

afterEach(() => {
  vi.useRealTimers()
})

function start(task: () => Promise<unknown>) {
  const scope = effectScope()
  const poller = scope.run(() => usePolling(task, { intervalMs: 5000 }))!
  return { poller, scope }
}

describe('usePolling', () => {
  it('runs at once, then every interval', async () => {
    const task = vi.fn(async () => {})
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(4999)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(task).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(task).toHaveBeenCalledTimes(4)
    scope.stop()
  })

  it('pauses while the document is hidden and runs at once when shown', async () => {
    const task = vi.fn(async () => {})
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(1)

    setVisibility('hidden')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(task).toHaveBeenCalledTimes(1)

    setVisibility('visible')
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(2) // immediately, not 5 s later
    await vi.advanceTimersByTimeAsync(5000)
    expect(task).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('does not start while hidden', async () => {
    visibility = 'hidden'
    const task = vi.fn(async () => {})
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(task).not.toHaveBeenCalled()
    setVisibility('visible')
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('never overlaps a slow run, and waits the interval after it ends', async () => {
    let running = 0
    let most = 0
    const task = vi.fn(async () => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, 8000))
      running--
    })
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(most).toBe(1)
    // 0–8 s, 13–21 s, 26–34 s: three starts in 30 s.
    expect(task).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('refresh() mid-run queues exactly one more run right after it', async () => {
    const task = vi.fn(() => new Promise((r) => setTimeout(r, 1000)))
    const { poller, scope } = start(task)
    await vi.advanceTimersByTimeAsync(100)
    void poller.refresh()
    void poller.refresh()
    await vi.advanceTimersByTimeAsync(1000)
    expect(task).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(task).toHaveBeenCalledTimes(2)
    scope.stop()
  })

  it('keeps polling after a failed run', async () => {
    const task = vi.fn(async () => {
      throw new Error('boom')
    })
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(task).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('stops with its scope and forgets the visibility listener', async () => {
    const task = vi.fn(async () => {})
    const { scope } = start(task)
    await vi.advanceTimersByTimeAsync(0)
    scope.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    setVisibility('hidden')
    setVisibility('visible')
    await vi.advanceTimersByTimeAsync(0)
    expect(task).toHaveBeenCalledTimes(1)
  })
})
