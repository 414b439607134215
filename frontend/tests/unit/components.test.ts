import { describe, expect, it } from 'vitest'
import { h, nextTick, ref, type VNode } from 'vue'
import type { Beat, Channel, Incident } from '../../src/api/types'
import type { TargetSort } from '../../src/api/types'
import ChannelChecklist from '../../src/components/ChannelChecklist.vue'
import ConditionsEditor from '../../src/components/ConditionsEditor.vue'
import IncidentTable from '../../src/components/IncidentTable.vue'
import KeepWarmStats from '../../src/detail/KeepWarmStats.vue'
import HeartbeatStrip from '../../src/components/HeartbeatStrip.vue'
import ModalDialog from '../../src/components/ModalDialog.vue'
import SecretHeaderList from '../../src/components/SecretHeaderList.vue'
import SortableHeader from '../../src/components/SortableHeader.vue'
import StatusBadge from '../../src/components/StatusBadge.vue'
import WarmWindowEditor from '../../src/components/WarmWindowEditor.vue'
import type { WindowRow } from '../../src/lib/keepWarm'
import type { ConditionRow } from '../../src/lib/conditions'
import type { FieldErrors } from '../../src/lib/targetForm'
import { mount as mountIn } from './dom'

// No router here: links render as plain anchors.
const mount = (render: () => VNode) => mountIn(render, { links: true })

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

const byLabel = (el: Element, name: string) => {
  const label = [...el.querySelectorAll('label')].find((l) => l.textContent?.trim() === name)
  return label ? el.querySelector<HTMLInputElement & HTMLSelectElement>(`#${CSS.escape(label.htmlFor)}`) : null
}

describe('ConditionsEditor', () => {
  it('names every control per row, offers the ops of the row type, and shows row errors under their field', async () => {
    const rows = ref<ConditionRow[]>([
      { type: 'latency', path: '', name: '', op: '<', value: '800' },
      { type: 'header', path: '', name: 'X-Cache', op: 'exists', value: '' },
    ])
    const errors = ref<FieldErrors>({ 'conditions[1].op': ['is not valid'] })
    const { el, unmount } = mount(() =>
      h(ConditionsEditor, { modelValue: rows.value, errors: errors.value, 'onUpdate:modelValue': (v: ConditionRow[]) => (rows.value = v) }),
    )
    await nextTick()
    const ops = (n: number) => [...byLabel(el, `Condition ${n} operator`)!.querySelectorAll('option')].map((o) => o.value)
    expect(ops(1)).toEqual(['<', '<='])
    expect(ops(2)).toEqual(['exists', 'not_exists', '==', '!=', 'contains', 'matches'])
    expect(byLabel(el, 'Condition 2 header')?.value).toBe('X-Cache')
    // exists compares with nothing: no value input; latency has no path or header.
    expect(byLabel(el, 'Condition 2 value')).toBeNull()
    expect(byLabel(el, 'Condition 1 JSON path')).toBeNull()
    const op2 = byLabel(el, 'Condition 2 operator')!
    expect(op2.getAttribute('aria-invalid')).toBe('true')
    expect(el.querySelector(`#${CSS.escape(op2.getAttribute('aria-describedby')!.split(' ')[0]!)}`)?.textContent).toBe(
      'Condition 2 operator is not valid',
    )

    // Latency → JSON: the op list follows, a JSON path appears.
    const type1 = byLabel(el, 'Condition 1 type')!
    type1.value = 'json'
    type1.dispatchEvent(new Event('change'))
    await nextTick()
    expect(rows.value[0]).toMatchObject({ type: 'json', op: '<', path: '$.' })
    expect(ops(1)).toContain('exists')
    expect(byLabel(el, 'Condition 1 JSON path')).not.toBeNull()

    const remove = el.querySelector<HTMLButtonElement>('button[aria-label="Remove condition 2"]')!
    remove.click()
    await nextTick()
    expect(rows.value).toHaveLength(1)
    const add = [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Add condition')!
    add.click()
    await nextTick()
    expect(rows.value).toHaveLength(2)
    expect(rows.value[1]).toMatchObject({ type: 'latency', op: '<' })
    unmount()
  })
})

describe('ChannelChecklist', () => {
  const ch = (id: number, name: string, isDefault: boolean): Channel => ({
    id,
    name,
    type: 'webhook',
    config: {} as Channel['config'],
    is_default: isDefault,
    created_at: '',
    updated_at: '',
  })

  it('shows the default channels ticked until the user chooses, then the choice', async () => {
    const selected = ref<number[] | null>(null)
    const channels = [ch(1, 'ops-webhook', true), ch(2, 'chat', false)]
    const { el, unmount } = mount(() =>
      h(ChannelChecklist, {
        modelValue: selected.value,
        channels,
        loaded: true,
        'onUpdate:modelValue': (v: number[] | null) => (selected.value = v),
      }),
    )
    await nextTick()
    const boxes = [...el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')]
    expect(boxes.map((b) => b.checked)).toEqual([true, false])
    expect(boxes[0]!.closest('label')?.textContent).toContain('ops-webhook')
    boxes[1]!.click()
    await nextTick()
    expect(selected.value).toEqual([1, 2])
    boxes[0]!.click()
    await nextTick()
    expect(selected.value).toEqual([2])
    unmount()
  })
})

describe('IncidentTable', () => {
  it('says Ongoing or Resolved in words, with the duration and errors', () => {
    const base = { target_id: 3, kind: 'down' as const, cause: '3 failed checks in a row', first_error: 'HTTP 500', last_error: 'HTTP 503' }
    const incidents: Incident[] = [
      { ...base, id: 2, started_at: new Date(Date.now() - 90_000).toISOString(), resolved_at: null },
      { ...base, id: 1, started_at: '2026-11-25T12:00:00Z', resolved_at: '2026-11-25T12:04:12Z', last_error: 'HTTP 500' },
    ]
    const { el, unmount } = mount(() =>
      h(IncidentTable, { incidents, label: 'Incidents', emptyText: 'No incidents', targetName: (id: number) => `target-${id}` }),
    )
    const rows = [...el.querySelectorAll('tbody tr')]
    expect(rows[0]!.querySelector('.state')?.textContent).toBe('Ongoing')
    expect(rows[0]!.textContent).toMatch(/1 min 3\d s so far/)
    expect(rows[0]!.textContent).toContain('First: HTTP 500')
    expect(rows[0]!.textContent).toContain('Last: HTTP 503')
    expect(rows[0]!.textContent).toContain('target-3')
    expect(rows[1]!.querySelector('.state')?.textContent).toBe('Resolved')
    expect(rows[1]!.textContent).toContain('4 min 12 s')
    expect(rows[1]!.textContent).not.toContain('First:')
    unmount()

    const empty = mount(() => h(IncidentTable, { incidents: [], label: 'Incidents', emptyText: 'No incidents' }))
    expect(empty.el.querySelector('tbody')?.textContent?.trim()).toBe('No incidents')
    expect(empty.el.querySelectorAll('th')).toHaveLength(5)
    empty.unmount()
  })
})

describe('WarmWindowEditor', () => {
  it('says "Always" with no rows; rows of named day toggles, times, errors and remove buttons', async () => {
    const rows = ref<WindowRow[]>([])
    const errors = ref<FieldErrors>({})
    const { el, unmount } = mount(() =>
      h(WarmWindowEditor, {
        modelValue: rows.value,
        'onUpdate:modelValue': (v: WindowRow[]) => (rows.value = v),
        errors: errors.value,
        timezone: 'Europe/Berlin',
      }),
    )
    expect(el.textContent).toContain('Always')
    el.querySelector<HTMLButtonElement>('button.add')!.click()
    await nextTick()
    expect(rows.value).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }])
    expect(el.textContent).toContain('in Europe/Berlin')
    const sat = el.querySelector<HTMLButtonElement>('button[aria-label="Window 1 Saturday"]')!
    expect(sat.getAttribute('aria-pressed')).toBe('false')
    sat.click()
    await nextTick()
    expect(rows.value[0]!.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
    expect(el.querySelector('button[aria-label="Window 1 Saturday"]')!.getAttribute('aria-pressed')).toBe('true')

    errors.value = { 'warm_windows[0].start': ['must be HH:MM'] }
    await nextTick()
    const start = el.querySelector<HTMLInputElement>('input[type="time"]')!
    expect(start.getAttribute('aria-invalid')).toBe('true')
    expect(el.querySelector(`#${start.getAttribute('aria-describedby')}`)?.textContent).toBe('Window 1 start must be HH:MM')

    el.querySelector<HTMLButtonElement>('button[aria-label="Remove window 1"]')!.click()
    await nextTick()
    expect(rows.value).toEqual([])
    unmount()
  })
})

describe('KeepWarmStats', () => {
  const stats = {
    target_id: 1, window: '24h', window_seconds: 86400, checks: 100, up: 99, down: 1,
    uptime_ratio: 0.99, latency_p50_ms: 80, latency_p95_ms: 120, latency_p99_ms: 200,
    cold_starts: 2, warm_ratio: 0.98, wake_ms_p50: 31_000, max_warm_gap_seconds: 870,
    warm_gap_breaches: 1, awake_hours: 23.9,
  }

  it('shows the 24 h keep-warm numbers and flags a gap over the idle limit', () => {
    const { el, unmount } = mount(() => h(KeepWarmStats, { stats, idleSeconds: 600 }))
    const text = el.textContent!
    expect(text).toContain('98.0 %')
    expect(text).toContain('31 s')
    expect(text).toContain('14 min 30 s')
    expect(text).toContain('23.9 h')
    expect(text).toContain('Over the 10 min idle limit')
    expect(el.querySelector('.over')).not.toBeNull()
    unmount()
  })

  it('says "—" for missing numbers and nothing is over without a gap', () => {
    const none = { ...stats, warm_ratio: null, wake_ms_p50: null, max_warm_gap_seconds: null }
    const { el, unmount } = mount(() => h(KeepWarmStats, { stats: none, idleSeconds: 900 }))
    expect(el.querySelectorAll('.metric-value')[0]!.textContent!.trim()).toBe('—')
    expect(el.querySelectorAll('.metric-value')[2]!.textContent!.trim()).toBe('—')
    expect(el.querySelector('.over')).toBeNull()
    expect(el.textContent).toContain('idle limit 15 min')
    unmount()
  })
})

describe('SecretHeaderList', () => {
  it('shows each credential header as set, with a named Remove that can be undone', async () => {
    const removed = ref<string[]>([])
    const { el, unmount } = mount(() =>
      h(SecretHeaderList, {
        names: ['Authorization', 'X-Token'],
        modelValue: removed.value,
        'onUpdate:modelValue': (v: string[]) => (removed.value = v),
      }),
    )
    expect(el.textContent).toContain('Authorization: set — leave empty to keep')
    expect(el.textContent).not.toContain('Bearer')
    el.querySelector<HTMLButtonElement>('button[aria-label="Remove header X-Token"]')!.click()
    await nextTick()
    expect(removed.value).toEqual(['X-Token'])
    expect(el.textContent).toContain('X-Token: will be removed')
    el.querySelector<HTMLButtonElement>('button[aria-label="Keep header X-Token"]')!.click()
    await nextTick()
    expect(removed.value).toEqual([])
    unmount()
  })

  it('shows nothing when no credential header is set', () => {
    const { el, unmount } = mount(() => h(SecretHeaderList, { names: [], modelValue: [] }))
    expect(el.querySelector('ul')).toBeNull()
    unmount()
  })
})
