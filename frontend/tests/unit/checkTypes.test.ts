import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { h, nextTick } from 'vue'
import type { Target } from '../../src/api/types'
import TargetFormDialog from '../../src/components/TargetFormDialog.vue'
import TargetRow from '../../src/components/TargetRow.vue'
import {
  CHECK_TYPES,
  type CheckType,
  type Endpoint,
  addressLabel,
  buildEndpointUrl,
  certDaysWords,
  certState,
  isIpv6Literal,
  parseEndpointUrl,
  splitHostInput,
} from '../../src/lib/checkTypes'
import { conditionFromRow, conditionKindsFor, newConditionRow, opsFor, withType } from '../../src/lib/conditions'
import { crontabLine, curlLine, deadlineWords, fromUnits, shellScript, systemdUnit, toUnits } from '../../src/lib/heartbeat'
import { buildRequest, emptyForm, formFromTarget, placeErrors, urlPart } from '../../src/lib/targetForm'
import { closeTargetForm, openAddTarget } from '../../src/stores/dialogs'
import { initSession } from '../../src/stores/session'
import { control, json, mount, set } from './dom'
import { CHECK_TYPE_DEFAULTS } from './fixtures'

const base: Target = {
  id: 9,
  name: 'db',
  url: 'tcp://db.example.com:5432',
  method: 'GET',
  headers: {},
  secret_headers: [],
  interval_seconds: 60,
  timeout_seconds: 10,
  expected_status: '200-399',
  is_active: true,
  tags: [],
  retries: 3,
  retry_delay_seconds: 15,
  failure_threshold: 3,
  success_threshold: 2,
  channel_ids: [],
  conditions: [],
  keep_warm: false,
  platform: '',
  idle_timeout_seconds: null,
  wake_timeout_seconds: 90,
  warm_windows: [],
  timezone: 'UTC',
  ...CHECK_TYPE_DEFAULTS,
  type: 'tcp',
  budget_group: '',
  warnings: [],
  last_status: 'up',
  last_checked_at: null,
  last_latency_ms: null,
  last_status_code: null,
  last_error: '',
  next_check_at: null,
  created_at: '2026-11-25T00:00:00Z',
  updated_at: '2026-11-25T00:00:00Z',
}

const ep = (e: Partial<Endpoint>): Endpoint => ({ host: '', port: '', name: '', recordType: 'A', ...e })

describe('check type addresses', () => {
  const cases: { name: string; type: CheckType; parts: Endpoint; url: string; label: string }[] = [
    { name: 'tcp', type: 'tcp', parts: ep({ host: 'db.example.com', port: '5432' }), url: 'tcp://db.example.com:5432', label: 'db.example.com:5432' },
    { name: 'tls', type: 'tls', parts: ep({ host: 'mail.example.com', port: '993' }), url: 'tls://mail.example.com:993', label: 'mail.example.com:993' },
    { name: 'tcp on IPv6', type: 'tcp', parts: ep({ host: '2001:db8::1', port: '22' }), url: 'tcp://[2001:db8::1]:22', label: '[2001:db8::1]:22' },
    { name: 'icmp', type: 'icmp', parts: ep({ host: 'router.example.com' }), url: 'icmp://router.example.com', label: 'router.example.com' },
    {
      name: 'dns with a resolver',
      type: 'dns',
      parts: ep({ host: '1.1.1.1', port: '53', name: 'example.com', recordType: 'AAAA' }),
      url: 'dns://1.1.1.1/example.com?type=AAAA',
      label: 'AAAA example.com @1.1.1.1',
    },
    {
      name: 'dns with a resolver on another port',
      type: 'dns',
      parts: ep({ host: '10.0.0.2', port: '5353', name: 'svc.local', recordType: 'SRV' }),
      url: 'dns://10.0.0.2:5353/svc.local?type=SRV',
      label: 'SRV svc.local @10.0.0.2:5353',
    },
    {
      name: 'dns on the system resolver',
      type: 'dns',
      parts: ep({ name: 'example.com', recordType: 'TXT' }),
      url: 'dns:///example.com?type=TXT',
      label: 'TXT example.com',
    },
  ]
  for (const c of cases) {
    it(`builds and reads back ${c.name}`, () => {
      expect(buildEndpointUrl(c.type, c.parts)).toBe(c.url)
      expect(parseEndpointUrl(c.type, c.url)).toEqual(c.parts)
      expect(addressLabel({ type: c.type, url: c.url })).toBe(c.label)
    })
  }

  it('reads what it cannot parse as empty parts, and labels http and heartbeat in their own words', () => {
    expect(parseEndpointUrl('tcp', 'https://x.example.com')).toEqual(ep({}))
    expect(parseEndpointUrl('dns', 'dns:///example.com?type=BOGUS').recordType).toBe('A')
    expect(addressLabel({ type: 'http', url: 'https://a.example.com/health' })).toBe('https://a.example.com/health')
    expect(addressLabel({ type: 'heartbeat', url: '' })).toBe('pinged by your job')
  })

  it('says how far a certificate is from expiring, and its colour', () => {
    const now = Date.parse('2026-12-01T00:00:00Z')
    expect(certDaysWords('2027-03-07T12:00:00Z', now)).toBe('in 96 days')
    expect(certDaysWords('2026-12-02T12:00:00Z', now)).toBe('in 1 day')
    expect(certDaysWords('2026-11-28T00:00:00Z', now)).toBe('expired 3 days ago')
    expect(certState('2027-03-07T12:00:00Z', 14, now)).toBe('ok')
    expect(certState('2026-12-10T00:00:00Z', 14, now)).toBe('warn')
    expect(certState('2026-12-10T00:00:00Z', 0, now)).toBe('ok')
    expect(certState('2026-11-30T00:00:00Z', 14, now)).toBe('expired')
  })
})

describe('condition kinds per type', () => {
  it('offers only the kinds of the chosen type', () => {
    expect(conditionKindsFor('http', 'http://a.example.com')).toEqual(['latency', 'body', 'json', 'header'])
    expect(conditionKindsFor('http', 'https://a.example.com')).toEqual(['latency', 'body', 'json', 'header', 'cert_days'])
    expect(conditionKindsFor('tcp')).toEqual(['latency'])
    expect(conditionKindsFor('tls')).toEqual(['latency', 'cert_days'])
    expect(conditionKindsFor('dns')).toEqual(['answer', 'rcode', 'latency'])
    expect(conditionKindsFor('icmp')).toEqual(['latency', 'packet_loss'])
    expect(conditionKindsFor('heartbeat')).toEqual([])
  })

  it('has the operators and values each kind takes', () => {
    expect(opsFor('cert_days')).toEqual(['>', '>='])
    expect(opsFor('rcode')).toEqual(['==', '!='])
    expect(opsFor('packet_loss')).toEqual(['<', '<='])
    expect(opsFor('answer')).toEqual(['contains', 'not_contains', '==', 'matches', 'not_matches'])
    expect(newConditionRow('rcode').value).toBe('NOERROR')
    expect(withType(newConditionRow('rcode'), 'answer')).toMatchObject({ type: 'answer', op: '==', value: '' })

    expect(conditionFromRow({ ...newConditionRow('cert_days'), value: '14' })).toEqual({
      condition: { type: 'cert_days', op: '>', value: '14' },
      errors: {},
    })
    expect(conditionFromRow({ ...newConditionRow('cert_days'), value: 'soon' }).errors.value).toBe('must be a whole number of days')
    expect(conditionFromRow({ ...newConditionRow('packet_loss'), value: '12.5' }).errors).toEqual({})
    expect(conditionFromRow({ ...newConditionRow('packet_loss'), value: '120' }).errors.value).toBe('must be a percentage from 0 to 100')
    expect(conditionFromRow({ ...newConditionRow('rcode'), value: 'nxdomain' }).condition.value).toBe('NXDOMAIN')
    expect(conditionFromRow({ ...newConditionRow('answer'), value: ' 1.2.3.4' }).condition.value).toBe(' 1.2.3.4')
  })
})

describe('heartbeat lines and deadline', () => {
  const url = 'https://wd.example.com/api/v1/ping/abc123'

  it('makes the curl and crontab lines', () => {
    expect(curlLine(url)).toBe('curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123')
    expect(crontabLine(url)).toBe(
      '0 2 * * * /path/to/job.sh && curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123',
    )
    expect(crontabLine(url, '*/15 * * * *')).toBe(
      '*/15 * * * * /path/to/job.sh && curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123',
    )
  })

  it('makes a shell script and a systemd unit that report the start and the exit status', () => {
    expect(shellScript(url + '/').split('\n')).toEqual([
      '#!/bin/sh',
      'curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123/start',
      '/path/to/job.sh',
      'curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123/$?',
    ])
    const unit = systemdUnit(url).split('\n')
    expect(unit).toContain('ExecStartPre=-/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123/start')
    // $$ is systemd's escape for a literal $: the shell sees $EXIT_STATUS.
    expect(unit).toContain(
      "ExecStopPost=/bin/sh -c '/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null https://wd.example.com/api/v1/ping/abc123/$$EXIT_STATUS'",
    )
  })

  it('counts the deadline down, then up once overdue', () => {
    const now = Date.parse('2026-12-01T10:00:00Z')
    expect(deadlineWords(null, now)).toEqual({ text: 'Waiting for the first ping', overdue: false })
    expect(deadlineWords('2026-12-01T10:04:12Z', now)).toEqual({ text: 'due in 4m 12s', overdue: false })
    expect(deadlineWords('2026-12-01T10:00:09Z', now)).toEqual({ text: 'due in 9s', overdue: false })
    expect(deadlineWords('2026-12-01T12:30:00Z', now)).toEqual({ text: 'due in 2h 30m', overdue: false })
    expect(deadlineWords('2026-12-03T11:00:00Z', now)).toEqual({ text: 'due in 2d 1h', overdue: false })
    expect(deadlineWords('2026-12-01T09:59:30Z', now)).toEqual({ text: 'overdue by 30s', overdue: true })
    expect(deadlineWords('2026-12-01T10:00:00Z', now)).toEqual({ text: 'overdue by 0s', overdue: true })
  })

  it('says periods in the largest unit that fits, and reads them back', () => {
    expect(toUnits(86_400)).toEqual({ amount: '1', unit: 'days' })
    expect(toUnits(7200)).toEqual({ amount: '2', unit: 'hours' })
    expect(toUnits(5400)).toEqual({ amount: '90', unit: 'minutes' })
    expect(toUnits(45)).toEqual({ amount: '45', unit: 'seconds' })
    expect(fromUnits('1.5', 'hours')).toBe(5400)
    expect(fromUnits('2', 'days')).toBe(172_800)
    expect(fromUnits('x', 'days')).toBeNaN()
  })
})

describe('target form per type', () => {
  it('creates a tcp target from host and port, without http settings', () => {
    const v = { ...emptyForm(), type: 'tcp' as const, host: 'db.example.com', port: '5432', name: '', interval: '60' }
    const { body, errors } = buildRequest(v)
    expect(errors).toEqual({})
    expect(body).toEqual({ type: 'tcp', url: 'tcp://db.example.com:5432', interval_seconds: 60, tags: [] })
  })

  it('says under which input an address is missing', () => {
    expect(buildRequest({ ...emptyForm(), type: 'tcp' }).errors).toMatchObject({ host: ['is required'], port: ['must be a port number'] })
    expect(buildRequest({ ...emptyForm(), type: 'dns' }).errors).toMatchObject({ dnsName: ['is required'] })
    expect(buildRequest({ ...emptyForm(), type: 'icmp' }).errors).toMatchObject({ host: ['is required'] })
    expect(buildRequest({ ...emptyForm(), type: 'heartbeat', period: '0' }).errors).toMatchObject({ period: ['must be a number above 0'] })
  })

  it('creates a dns target, and a tls one with its certificate settings', () => {
    const dns = buildRequest({ ...emptyForm(), type: 'dns', dnsName: 'example.com', recordType: 'MX' }).body
    expect(dns).toMatchObject({ type: 'dns', url: 'dns:///example.com?type=MX' })
    const tls = buildRequest({
      ...emptyForm(),
      type: 'tls',
      host: 'mail.example.com',
      port: '993',
      certExpiryDays: '30',
      tlsSkipVerify: true,
      tlsClientKeyPem: '-----BEGIN PRIVATE KEY-----',
    }).body
    expect(tls).toMatchObject({
      type: 'tls',
      url: 'tls://mail.example.com:993',
      cert_expiry_days: 30,
      tls_skip_verify: true,
      tls_client_key_pem: '-----BEGIN PRIVATE KEY-----',
    })
    // Plain http has no certificate: the TLS options are not sent.
    const http = buildRequest({ ...emptyForm(), url: 'http://a.example.com', tlsSkipVerify: true, certExpiryDays: '3' }).body
    expect(http).not.toHaveProperty('tls_skip_verify')
    expect(http).not.toHaveProperty('cert_expiry_days')
  })

  it('creates a heartbeat with no URL, by period or by cron', () => {
    const period = buildRequest({ ...emptyForm(), type: 'heartbeat', period: '2', periodUnit: 'hours', grace: '10', graceUnit: 'minutes' })
    expect(period.errors).toEqual({})
    expect(period.body).toEqual({ type: 'heartbeat', period_seconds: 7200, grace_seconds: 600, tags: [] })
    const cron = buildRequest({ ...emptyForm(), type: 'heartbeat', schedule: 'cron', cron: '0 2 * * *', timezone: 'Europe/Berlin' })
    expect(cron.body).toEqual({ type: 'heartbeat', cron: '0 2 * * *', timezone: 'Europe/Berlin', grace_seconds: 3600, tags: [] })
  })

  it('reads a saved target back into its parts, and patches nothing when nothing changed', () => {
    const dns: Target = { ...base, type: 'dns', url: 'dns://9.9.9.9/example.org?type=CAA', name: 'example.org' }
    const v = formFromTarget(dns)
    expect(v).toMatchObject({ type: 'dns', host: '9.9.9.9', port: '53', dnsName: 'example.org', recordType: 'CAA', url: '' })
    expect(buildRequest(v, dns).body).toEqual({})
    const beat: Target = { ...base, type: 'heartbeat', url: '', name: 'backup', period_seconds: 5400, grace_seconds: 300 }
    const b = formFromTarget(beat)
    expect(b).toMatchObject({ schedule: 'period', period: '90', periodUnit: 'minutes', grace: '5', graceUnit: 'minutes' })
    expect(buildRequest(b, beat).body).toEqual({})
    expect(buildRequest({ ...b, schedule: 'cron', cron: '0 3 * * *' }, beat).body).toEqual({ cron: '0 3 * * *' })
  })

  it('changes the type of a target: type and url together, http settings back to their defaults', () => {
    const http: Target = {
      ...base,
      type: 'http',
      url: 'https://shop.example.com',
      name: 'shop',
      method: 'POST',
      expected_status: '200',
      headers: { Accept: 'text/plain' },
      secret_headers: ['Authorization'],
      tls_skip_verify: true,
      tls_client_key_set: true,
    }
    const v = { ...formFromTarget(http), type: 'tcp' as const, host: 'shop.example.com', port: '443' }
    expect(buildRequest(v, http).body).toEqual({
      type: 'tcp',
      url: 'tcp://shop.example.com:443',
      method: 'GET',
      expected_status: '200-399',
      headers: { Authorization: '' },
      tls_client_key_pem: '',
      tls_skip_verify: false,
    })
  })

  it('keeps a client key unless it is replaced or removed', () => {
    const tls: Target = { ...base, type: 'tls', url: 'tls://a.example.com:443', tls_client_key_set: true }
    const v = formFromTarget(tls)
    expect(v.tlsClientKeySet).toBe(true)
    expect(buildRequest(v, tls).body).toEqual({})
    expect(buildRequest({ ...v, tlsClientKeyRemoved: true }, tls).body).toEqual({ tls_client_key_pem: '' })
    expect(buildRequest({ ...v, tlsClientKeyPem: 'KEY' }, tls).body).toEqual({ tls_client_key_pem: 'KEY' })
  })

  it("puts the API's url errors under the input of the address they are about", () => {
    expect(urlPart('tcp', 'port must be between 1 and 65535')).toBe('port')
    expect(urlPart('tcp', 'must be a tcp://host:port URL')).toBe('host')
    expect(urlPart('dns', 'must be a dns://[resolver[:port]]/name?type=A URL naming the domain to look up')).toBe('dnsName')
    expect(urlPart('dns', 'must not be a private address')).toBe('host')
    expect(urlPart('dns', 'type must be one of A, AAAA')).toBe('recordType')
    expect(placeErrors([{ field: 'url', message: 'resolves to a loopback address' }], 'icmp').byField).toEqual({
      host: ['resolves to a loopback address'],
    })
    expect(placeErrors([{ field: 'url', message: 'must be left out' }], 'heartbeat').other).toEqual(['url: must be left out'])
    expect(placeErrors([{ field: 'period_seconds', message: 'must be between 60 and 31536000' }], 'heartbeat').byField).toEqual({
      period: ['must be between 60 and 31536000'],
    })
  })
})

describe('the add form shows only the chosen type\'s fields', () => {
  beforeAll(() => {
    initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
  })
  afterEach(() => {
    closeTargetForm()
    vi.unstubAllGlobals()
  })

  const labels = () =>
    [...document.querySelectorAll('dialog label, [role="dialog"] label')]
      .filter((l) => !l.closest('.type-picker'))
      .map((l) => l.textContent?.replace(/\s+/g, ' ').trim() ?? '')
      .filter(Boolean)

  it('switches fields with the type', async () => {
    vi.stubGlobal('fetch', async () => json({ items: [], total: 0, limit: 0, offset: 0 }))
    const { unmount } = mount(() => h(TargetFormDialog), { links: true })
    openAddTarget()
    await nextTick()
    await nextTick()
    const has = (label: string) => labels().some((l) => l === label || l.startsWith(`${label} `))
    const radio = (label: string) =>
      [...document.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find((r) => r.closest('.option')?.textContent?.includes(label))!
    const choose = async (label: string) => {
      const r = radio(label)
      r.checked = true
      r.dispatchEvent(new Event('change'))
      await nextTick()
    }

    // http by default: URL and the http settings.
    expect(radio('Website or API').checked).toBe(true)
    expect(has('URL')).toBe(true)
    expect(has('Method')).toBe(true)
    expect(has('Host')).toBe(false)

    await choose('Port')
    expect(has('URL')).toBe(false)
    expect(has('Host')).toBe(true)
    expect(has('Port')).toBe(true)
    expect(has('Method')).toBe(false)
    expect(has('Headers')).toBe(false)
    expect(has('Skip certificate verification')).toBe(false)

    await choose('Certificate')
    expect(has('Skip certificate verification')).toBe(true)
    expect(has('Certificate expiry warning')).toBe(true)

    await choose('DNS record')
    expect(has('Name to look up')).toBe(true)
    expect(has('Record type')).toBe(true)
    expect(has('Resolver')).toBe(true)

    await choose('Ping')
    expect(has('Host')).toBe(true)
    expect(has('Port')).toBe(false)

    await choose('Cron job')
    expect(has('Host')).toBe(false)
    expect(has('Interval')).toBe(false)
    expect(has('Expect a ping every')).toBe(true)
    expect(has('Grace')).toBe(true)
    expect(has('Failure threshold')).toBe(false)
    unmount()
  })
})

describe('the target list row per type', () => {
  beforeAll(() => {
    initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
  })

  function row(t: Target) {
    const table = document.createElement('table')
    const body = document.createElement('tbody')
    table.append(body)
    return mount(() => h(TargetRow, { target: t }), { links: true, into: { root: table, target: body } })
  }

  it('shows a heartbeat by its last ping and period, with its type', () => {
    const { el, unmount } = row({
      ...base,
      type: 'heartbeat',
      url: '',
      name: 'backup',
      period_seconds: 3600,
      last_ping_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    })
    const text = el.textContent ?? ''
    expect(text).toContain('Cron')
    expect(text).toContain('pinged by your job')
    expect(text).toContain('last ping 5 min ago')
    expect(text).toContain('ping every hour')
    expect(el.querySelector('button[aria-label="Check now"]')).toBeNull()
    unmount()
  })

  it('shows a tcp address, and a certificate date amber within its warning days', () => {
    const tcp = row(base)
    expect(tcp.el.textContent).toContain('db.example.com:5432')
    expect(tcp.el.textContent).toContain('TCP')
    unmount(tcp)
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString()
    const tls = row({ ...base, type: 'tls', url: 'tls://mail.example.com:993', cert_expires_at: soon, cert_expiry_days: 14 })
    expect(tls.el.querySelector('.c-cert time')?.classList.contains('warn')).toBe(true)
    unmount(tls)
    const later = row({ ...base, type: 'tls', url: 'tls://mail.example.com:993', cert_expires_at: soon, cert_expiry_days: 3 })
    expect(later.el.querySelector('.c-cert time')?.classList.contains('ok')).toBe(true)
    unmount(later)
  })

  it('says the certificate state in words, not by colour alone, with a chip for phones', () => {
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString()
    const past = new Date(Date.now() - 2 * 86_400_000).toISOString()
    const warn = row({ ...base, type: 'tls', url: 'tls://mail.example.com:993', cert_expires_at: soon, cert_expiry_days: 14 })
    expect(warn.el.querySelector('.c-cert')?.textContent).toContain('expires soon')
    expect(warn.el.querySelector('[data-testid="cert-chip"]')?.textContent).toBe('Certificate expires soon')
    unmount(warn)
    const gone = row({ ...base, type: 'tls', url: 'tls://mail.example.com:993', cert_expires_at: past, cert_expiry_days: 14 })
    expect(gone.el.querySelector('.c-cert')?.textContent).toContain('expired')
    expect(gone.el.querySelector('[data-testid="cert-chip"]')?.textContent).toBe('Certificate expired')
    unmount(gone)
    const none = row(base)
    expect(none.el.querySelector('.c-cert [aria-label]')).toBeNull()
    expect(none.el.querySelector('.c-cert .visually-hidden')?.textContent).toBe('no certificate')
    expect(none.el.querySelector('[data-testid="cert-chip"]')).toBeNull()
    unmount(none)
  })

  function unmount(r: { unmount: () => void }) {
    r.unmount()
  }
})

describe('review fixes', () => {
  it('names the types as UI.md does, the protocol in the help line', () => {
    expect(CHECK_TYPES.map((t) => t.label)).toEqual(['Website or API', 'Port', 'Certificate', 'DNS record', 'Ping', 'Cron job'])
    expect(CHECK_TYPES.map((t) => t.help.split(':')[0])).toEqual(['HTTP(S)', 'TCP', 'TLS', 'DNS', 'ICMP', 'HTTP heartbeat'])
  })

  it('https to http: warning days back to the default, certificate conditions flagged', () => {
    const https: Target = { ...base, type: 'http', url: 'https://shop.example.com', name: 'shop', cert_expiry_days: 30 }
    const v = { ...formFromTarget(https), url: 'http://shop.example.com' }
    expect(buildRequest(v, https).body).toMatchObject({ url: 'http://shop.example.com', cert_expiry_days: 14 })
    const same: Target = { ...https, cert_expiry_days: 14 }
    expect(buildRequest({ ...formFromTarget(same), url: 'http://shop.example.com' }, same).body).not.toHaveProperty('cert_expiry_days')
    const row = { ...newConditionRow('cert_days'), value: '7' }
    const plain = buildRequest({ ...v, conditions: [row] }, https)
    expect(plain.errors['conditions[0].type']).toEqual(['needs an https url — remove this row'])
    expect(buildRequest({ ...formFromTarget(https), conditions: [row] }, https).errors).toEqual({})
  })

  it('errors for fields the form does not show go to the top, named by their JSON field', () => {
    const v = { ...emptyForm(), url: 'http://shop.example.com' }
    const placed = placeErrors(
      [
        { field: 'cert_expiry_days', message: 'applies to https and tls targets only' },
        { field: 'name', message: 'is too long' },
        { field: 'period_seconds', message: 'must be left out' },
      ],
      v,
    )
    expect(placed.byField).toEqual({ name: ['is too long'] })
    expect(placed.other).toEqual(['cert_expiry_days: applies to https and tls targets only', 'period_seconds: must be left out'])
    const beat = { ...emptyForm(), type: 'heartbeat' as const, schedule: 'period' as const }
    expect(placeErrors([{ field: 'cron', message: 'is invalid' }], beat).other).toEqual(['cron: is invalid'])
    expect(placeErrors([{ field: 'period_seconds', message: 'too short' }], beat).byField).toEqual({ period: ['too short'] })
  })

  it('brackets only a real IPv6 literal, and splits a pasted host:port', () => {
    expect(isIpv6Literal('2606:4700::1111')).toBe(true)
    expect(isIpv6Literal('fe80::1%eth0')).toBe(true)
    expect(isIpv6Literal('db.example.com:5432')).toBe(false)
    expect(isIpv6Literal('https://example.com')).toBe(false)
    expect(buildEndpointUrl('tcp', ep({ host: 'db.example.com:5432', port: '' }))).toBe('tcp://db.example.com:5432')
    expect(buildEndpointUrl('icmp', ep({ host: 'https://example.com' }))).toBe('icmp://https://example.com')
    expect(buildEndpointUrl('icmp', ep({ host: 'fe80::1%eth0' }))).toBe('icmp://[fe80::1%25eth0]')
    expect(parseEndpointUrl('icmp', 'icmp://[fe80::1%25eth0]').host).toBe('fe80::1%eth0')
    expect(buildEndpointUrl('tcp', ep({ host: '::1', port: '53' }))).toBe('tcp://[::1]:53')
    expect(splitHostInput('db.example.com:5432')).toEqual({ host: 'db.example.com', port: '5432' })
    expect(splitHostInput('tcp://db.example.com:5432/x?y')).toEqual({ host: 'db.example.com', port: '5432' })
    expect(splitHostInput('https://example.com/health')).toEqual({ host: 'example.com', port: '' })
    expect(splitHostInput('[::1]:53')).toEqual({ host: '::1', port: '53' })
    expect(splitHostInput('db.example.com:abc')).toEqual({ error: 'Host only — put the port in Port' })
    expect(splitHostInput('2606:4700::1111')).toBeNull()
    expect(splitHostInput('db.example.com')).toBeNull()
  })

  it('a dns resolver port without a resolver is an error; an IPv6 resolver with a port is bracketed', () => {
    const v = { ...emptyForm(), type: 'dns' as const, dnsName: 'example.com', port: '5353' }
    expect(buildRequest(v).errors).toMatchObject({ port: ['needs a resolver'] })
    expect(buildRequest({ ...v, port: '53' }).errors).toEqual({})
    expect(addressLabel({ type: 'dns', url: 'dns://[2606:4700::1111]:5353/example.com?type=A' })).toBe('A example.com @[2606:4700::1111]:5353')
    expect(addressLabel({ type: 'dns', url: 'dns://[2606:4700::1111]/example.com?type=A' })).toBe('A example.com @2606:4700::1111')
  })
})

describe('the add form across heartbeat', () => {
  beforeAll(() => {
    initSession({ apiBase: 'http://api.test' }, () => {}).stopRefreshTimer()
  })
  afterEach(() => {
    closeTargetForm()
    vi.unstubAllGlobals()
  })

  it('empties thresholds and retries when crossing into or out of heartbeat, defaults as placeholders', async () => {
    vi.stubGlobal('fetch', async () => json({ items: [], total: 0, limit: 0, offset: 0 }))
    const { unmount } = mount(() => h(TargetFormDialog), { links: true })
    openAddTarget()
    await nextTick()
    await nextTick()
    const choose = async (value: string) => {
      const r = document.querySelector<HTMLInputElement>(`input[type="radio"][value="${value}"]`)!
      r.checked = true
      r.dispatchEvent(new Event('change'))
      await nextTick()
    }
    const input = (label: string) => control(document, label)
    await choose('tcp')
    for (const label of ['Retries', 'Failure threshold', 'Success threshold']) set(input(label), '7')
    await nextTick()
    await choose('tls')
    expect(input('Retries').value).toBe('7')
    await choose('heartbeat')
    await choose('tcp')
    await nextTick()
    expect(input('Retries').value).toBe('')
    expect(input('Failure threshold').value).toBe('')
    expect(input('Success threshold').value).toBe('')
    expect(input('Failure threshold').placeholder).toBe('3 (default)')
    unmount()
  })
})
