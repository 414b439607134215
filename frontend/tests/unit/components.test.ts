import { describe, expect, it } from 'vitest'
import { createApp, h, nextTick, ref } from 'vue'
import type { Beat } from '../../src/api/types'
import type { TargetSort } from '../../src/api/types'
import HeartbeatStrip from '../../src/components/HeartbeatStrip.vue'
import ModalDialog from '../../src/components/ModalDialog.vue'
import SortableHeader from '../../src/components/SortableHeader.vue'
import StatusBadge from '../../src/components/StatusBadge.vue'

function mount(render: () => ReturnType<typeof h>) {
  const el = document.createElement('div')
  document.body.append(el)
  const app = createApp({ render })
  app.mount(el)
  return { el, unmount: () => app.unmount() }
}

const beat = (ok: boolean, cold = false, i = 0): Beat => ({
  checked_at: new Date(Date.UTC(2026, 10, 25, 12, 0, i)).toISOString(),
  ok,
  cold_start: cold,
  latency_ms: 80 + i,
  status_code: ok ? 200 : 503,
})

describe('StatusBadge', () => {
  it('says the status in words, not colour alone', () => {
    const { el, unmount } = mount(() => h(StatusBadge, { status: 'paused' }))
    expect(el.textContent?.trim()).toBe('Paused')
    expect(el.querySelector('.badge')?.classList.contains('paused')).toBe(true)
    unmount()
  })
})

describe('HeartbeatStrip', () => {
  it('draws 30 ticks, newest right, with tooltips and a summary in words', async () => {
    const checks = ref<Beat[]>([beat(true, false, 1), beat(false, false, 2), beat(true, true, 3)])
    const { el, unmount } = mount(() => h(HeartbeatStrip, { checks: checks.value }))
    const strip = el.querySelector('[role="img"]')!
    expect(strip.getAttribute('aria-label')).toBe('Last 3 checks: 1 up, 1 down, 1 cold start')
    const ticks = [...el.querySelectorAll('.tick')]
    expect(ticks).toHaveLength(30)
    expect(ticks.slice(0, 27).every((t) => t.classList.contains('none'))).toBe(true)
    expect(ticks.slice(27).map((t) => t.className.replace('tick', '').trim())).toEqual(['up', 'down', 'cold'])
    expect(ticks[28]!.getAttribute('title')).toContain('503')

    // A new check slides in on the right; the strip keeps its 30 ticks.
    checks.value = [...checks.value, beat(true, false, 4)]
    await nextTick()
    const after = [...el.querySelectorAll('.tick')]
    expect(after).toHaveLength(30)
    expect(after[29]!.classList.contains('up')).toBe(true)
    unmount()
  })
})

describe('SortableHeader', () => {
  it('is a button named "Sort by …", with aria-sort only on the active column, flipping on click', async () => {
    const sort = ref<TargetSort>('name')
    const { el, unmount } = mount(() =>
      h('table', [
        h('thead', [
          h('tr', [
            h(SortableHeader, { column: 'name', label: 'Name', sort: sort.value, onSort: (s: TargetSort) => (sort.value = s) }),
            h(SortableHeader, { column: 'latency', label: 'Latency', sort: sort.value, onSort: (s: TargetSort) => (sort.value = s) }),
          ]),
        ]),
      ]),
    )
    const [name, latency] = [...el.querySelectorAll('th')]
    const button = (th: Element) => th.querySelector('button')!
    // The accessible name: the visually hidden words; the visible label is aria-hidden.
    expect(button(latency!).querySelector('.visually-hidden')?.textContent).toBe('Sort by latency')
    expect(button(latency!).querySelector('[aria-hidden="true"]')?.textContent).toBe('Latency')
    expect(name!.getAttribute('aria-sort')).toBe('ascending')
    expect(latency!.hasAttribute('aria-sort')).toBe(false)

    button(latency!).click()
    await nextTick()
    expect(sort.value).toBe('latency')
    expect(latency!.getAttribute('aria-sort')).toBe('ascending')
    expect(name!.hasAttribute('aria-sort')).toBe(false)

    button(latency!).click()
    await nextTick()
    expect(sort.value).toBe('-latency')
    expect(latency!.getAttribute('aria-sort')).toBe('descending')
    unmount()
  })
})

describe('ModalDialog', () => {
  it('shows itself again when the browser closes it but the owner keeps it open', async () => {
    const open = ref(true)
    let refuse = true
    const { el, unmount } = mount(() =>
      h(ModalDialog, { open: open.value, title: 'Edit target', onClose: () => (open.value = refuse) }, () => h('p', 'body')),
    )
    await nextTick()
    const dialog = el.querySelector('dialog')!
    expect(dialog.open).toBe(true)
    // Chrome force-closes after repeated Escape; a save is under way, so the owner refuses.
    dialog.close()
    await nextTick()
    await nextTick()
    expect(open.value).toBe(true)
    expect(dialog.open).toBe(true)
    // Once the owner agrees, it stays closed.
    refuse = false
    dialog.close()
    await nextTick()
    await nextTick()
    expect(open.value).toBe(false)
    expect(dialog.open).toBe(false)
    unmount()
  })
})
