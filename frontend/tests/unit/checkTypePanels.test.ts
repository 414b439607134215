import { beforeAll, describe, expect, it } from 'vitest'
import { h, nextTick, ref, type VNode } from 'vue'
import type { Check, Target } from '../../src/api/types'
import EndpointFields from '../../src/checktypes/EndpointFields.vue'
import HeartbeatFields from '../../src/checktypes/HeartbeatFields.vue'
import HeartbeatPanel from '../../src/checktypes/HeartbeatPanel.vue'
import LastResultCard from '../../src/checktypes/LastResultCard.vue'
import ChecksTable from '../../src/detail/ChecksTable.vue'
import { initSession } from '../../src/stores/session'
import { type TargetFormValues, emptyForm } from '../../src/lib/targetForm'
import { CHECK_TYPE_DEFAULTS } from './fixtures'
import { mount as mountIn } from './dom'

// No router here: links render as plain anchors.
const mount = (render: () => VNode) => mountIn(render, { links: true })

const check = (c: Partial<Check>): Check => ({
  id: 1,
  target_id: 9,
  checked_at: '2026-12-06T10:00:00Z',
  ok: true,
  status_code: null,
  latency_ms: 0,
  attempts: 1,
  error: '',
  cold_start: false,
  wake_ms: null,
  answer: null,
  packet_loss: null,
  message: null,
  cert_expires_at: null,
  ...c,
})

const beat: Target = {
  id: 9,
  name: 'backup',
  url: '',
  method: 'GET',
  headers: {},
  secret_headers: [],
  interval_seconds: 60,
  timeout_seconds: 10,
  expected_status: '200-399',
  is_active: true,
  tags: [],
  retries: 0,
  retry_delay_seconds: 15,
  failure_threshold: 1,
  success_threshold: 1,
  channel_ids: [],
  conditions: [],
  keep_warm: false,
  platform: '',
  idle_timeout_seconds: null,
  wake_timeout_seconds: 90,
  warm_windows: [],
  timezone: 'UTC',
  ...CHECK_TYPE_DEFAULTS,
  type: 'heartbeat',
  period_seconds: 3600,
  grace_seconds: 300,
  ping_url: 'https://wd.example.com/ping/abc',
  last_ping_at: '2026-12-06T09:00:00Z',
  budget_group: '',
  warnings: [],
  last_status: 'up',
  last_checked_at: null,
  last_latency_ms: null,
  last_status_code: null,
  last_error: '',
  next_check_at: '2026-12-06T10:05:00Z',
  created_at: '2026-11-25T00:00:00Z',
  updated_at: '2026-11-25T00:00:00Z',
}

describe('heartbeat panel', () => {
  beforeAll(() => {
    initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
  })

  it("says how long the last ping's job took, from the check at last_ping_at", async () => {
    const checks = [
      check({ id: 3, checked_at: '2026-12-06T09:30:00Z', latency_ms: 9000 }),
      check({ id: 2, checked_at: '2026-12-06T09:00:00Z', latency_ms: 3200 }),
    ]
    const m = mount(() => h(HeartbeatPanel, { target: beat, checks }))
    await nextTick()
    const text = m.el.querySelector('[data-testid="last-ping"]')!.textContent!
    expect(text).toContain('took 3.2')
    expect(text).not.toContain('took 9')
    m.unmount()
    const none = mount(() => h(HeartbeatPanel, { target: beat, checks: [check({ checked_at: '2026-12-06T09:00:00Z', latency_ms: 0 })] }))
    await nextTick()
    expect(none.el.querySelector('[data-testid="last-ping"]')!.textContent).not.toContain('took')
    none.unmount()
  })

  it('shows messages in a focusable, scrolling pre; the deadline counts down on its own', async () => {
    const long = 'line\n'.repeat(2000)
    const m = mount(() => h(HeartbeatPanel, { target: beat, checks: [check({ message: long })] }))
    await nextTick()
    const pre = m.el.querySelector<HTMLElement>('.messages pre')!
    expect(pre).not.toBeNull()
    expect(pre.getAttribute('tabindex')).toBe('0')
    expect(pre.textContent).toBe(long)
    expect(m.el.querySelector('[data-testid="deadline"] .countdown')).not.toBeNull()
    m.unmount()
  })
})

describe('checks table and last result', () => {
  it('cuts a long message in the cell, with no 10 KB title', async () => {
    const m = mount(() =>
      h(ChecksTable, { checks: [check({ message: 'x'.repeat(10_000) })], hasOlder: false, loading: false, type: 'heartbeat' }),
    )
    await nextTick()
    const cell = m.el.querySelector<HTMLElement>('.c-detail')!
    expect(cell.textContent!.length).toBeLessThanOrEqual(201)
    expect((cell.getAttribute('title') ?? '').length).toBeLessThanOrEqual(201)
    m.unmount()
  })

  it('treats a missing packet loss as none, and lets the records be scrolled by keyboard', async () => {
    const noLoss: Partial<Check> = check({ latency_ms: 12 })
    delete noLoss.packet_loss
    const icmp: Target = { ...beat, type: 'icmp', url: 'icmp://a.example.com' }
    const m = mount(() => h(LastResultCard, { target: icmp, check: noLoss as Check }))
    await nextTick()
    expect(m.el.querySelector('[data-testid="packet-loss"]')!.textContent).toBe('—')
    expect(m.el.querySelector('[data-testid="packet-loss"]')!.textContent).not.toContain('undefined')
    m.unmount()
    const dns: Target = { ...beat, type: 'dns', url: 'dns:///example.com?type=A' }
    const d = mount(() => h(LastResultCard, { target: dns, check: check({ answer: '1.2.3.4\n5.6.7.8' }) }))
    await nextTick()
    expect(d.el.querySelector('.records')!.getAttribute('tabindex')).toBe('0')
    d.unmount()
  })
})

describe('heartbeat fields', () => {
  it('warns of a grace under a minute, with min attributes and a hint', async () => {
    const values = { ...emptyForm(), type: 'heartbeat' as const, grace: '30', graceUnit: 'seconds' as const }
    const m = mount(() => h(HeartbeatFields, { modelValue: values, errors: {} }))
    await nextTick()
    expect(m.el.querySelector('[data-testid="grace-warning"]')?.textContent).toContain('must be at least 1 minute')
    const inputs = [...m.el.querySelectorAll<HTMLInputElement>('input[type="number"]')]
    expect(inputs.map((i) => i.getAttribute('min'))).toEqual(['1', '60'])
    expect(m.el.textContent).toContain('at least a minute')
    m.unmount()
    const ok = mount(() => h(HeartbeatFields, { modelValue: { ...values, grace: '2', graceUnit: 'minutes' as const }, errors: {} }))
    await nextTick()
    expect(ok.el.querySelector('[data-testid="grace-warning"]')).toBeNull()
    ok.unmount()
  })
})

describe('endpoint fields', () => {
  it('splits a pasted host:port into Host and Port, and says when a port cannot be told apart', async () => {
    const values = ref<TargetFormValues>({ ...emptyForm(), type: 'tcp' })
    const m = mount(() => h(EndpointFields, { modelValue: values.value, 'onUpdate:modelValue': (v: TargetFormValues) => (values.value = v), errors: {} }))
    await nextTick()
    const host = m.el.querySelector<HTMLInputElement>('input:not([type])')!
    host.dispatchEvent(new Event('paste'))
    host.value = 'tcp://db.example.com:5432/x'
    host.dispatchEvent(new Event('input'))
    await nextTick()
    expect(values.value.host).toBe('db.example.com')
    expect(values.value.port).toBe('5432')
    host.value = 'db.example.com:abc'
    host.dispatchEvent(new Event('input'))
    await nextTick()
    expect(m.el.textContent).toContain('Host only — put the port in Port')
    m.unmount()
  })
})
