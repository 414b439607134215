import { describe, expect, it } from 'vitest'
import type { Target } from '../../src/api/types'
import {
  IMPERSONATIONS,
  advancedHasErrors,
  buildRequest,
  emptyForm,
  formFromTarget,
  impersonationLabel,
  parseHeaders,
  placeErrors,
} from '../../src/lib/targetForm'
import { CHECK_TYPE_DEFAULTS } from './fixtures'

const target: Target = {
  id: 7,
  name: 'shop-api',
  url: 'https://shop.example.com/health',
  method: 'GET',
  headers: { Accept: 'application/json' },
  secret_headers: ['Authorization', 'X-Token'],
  interval_seconds: 60,
  timeout_seconds: 10,
  expected_status: '200-399',
  is_active: true,
  tags: ['prod', 'shop'],
  retries: 3,
  retry_delay_seconds: 15,
  failure_threshold: 3,
  success_threshold: 2,
  channel_ids: [2, 5],
  conditions: [{ type: 'json', path: '$.status', op: '==', value: 'ok' }],
  keep_warm: false,
  platform: '',
  idle_timeout_seconds: null,
  wake_timeout_seconds: 90,
  warm_windows: [],
  timezone: 'UTC',
  ...CHECK_TYPE_DEFAULTS,
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

describe('target form', () => {
  it('makes a create body with only what was filled in', () => {
    const v = { ...emptyForm(), url: ' http://127.0.0.1:9/ok ', interval: '5' }
    expect(buildRequest(v)).toEqual({
      body: { url: 'http://127.0.0.1:9/ok', interval_seconds: 5, method: 'GET', headers: {}, tags: [] },
      errors: {},
    })
  })

  it('takes numbers as v-model hands them over (a number, or empty)', () => {
    const v = { ...emptyForm(), url: 'https://x.example', interval: 30 as unknown as string, timeout: '' }
    const { body, errors } = buildRequest(v)
    expect(errors).toEqual({})
    expect(body).toMatchObject({ interval_seconds: 30 })
    expect(body).not.toHaveProperty('timeout_seconds')
  })

  it('catches what it can tell by itself', () => {
    const v = { ...emptyForm(), url: '', interval: '1.5', headers: 'no colon here' }
    const { errors } = buildRequest(v)
    expect(errors.url).toEqual(['is required'])
    expect(errors.interval).toEqual(['must be a whole number'])
    expect(errors.headers?.[0]).toMatch(/line 1/)
  })

  it('edits by patching only what changed', () => {
    const v = { ...formFromTarget(target), name: 'shop-api-v2', tags: 'shop, prod, new' }
    expect(buildRequest(v, target).body).toEqual({ name: 'shop-api-v2', tags: ['shop', 'prod', 'new'] })
    expect(buildRequest(formFromTarget(target), target).body).toEqual({})
  })

  it("edits an emptied Name to the URL's host, as the placeholder says", () => {
    const v = { ...formFromTarget(target), name: '  ' }
    expect(buildRequest(v, target).body).toEqual({ name: 'shop.example.com' })
    // With a new URL, the new host.
    const moved = { ...formFromTarget(target), name: '', url: 'https://api.shop.example:8443/health' }
    expect(buildRequest(moved, target).body).toEqual({ url: 'https://api.shop.example:8443/health', name: 'api.shop.example' })
    // Already named after its host: nothing to send.
    const hosted = { ...target, name: 'shop.example.com' }
    expect(buildRequest({ ...formFromTarget(hosted), name: '' }, hosted).body).toEqual({})
  })

  it('shows credential headers as set, and sends them only when changed', () => {
    const v = formFromTarget(target)
    expect(v.headers).toBe('Accept: application/json')
    expect(v.secretHeaders).toEqual(['Authorization', 'X-Token'])
    expect(v.removedSecretHeaders).toEqual([])
    // Untouched, they are not sent: the server keeps them.
    expect(buildRequest({ ...v, name: 'x' }, target).body).toEqual({ name: 'x' })
    // A plain header changed: the plain ones are sent, the credentials left out are kept.
    expect(buildRequest({ ...v, headers: 'Accept: text/plain' }, target).body).toEqual({ headers: { Accept: 'text/plain' } })
    // Removed: sent as "", which removes it.
    expect(buildRequest({ ...v, removedSecretHeaders: ['X-Token'] }, target).body).toEqual({
      headers: { Accept: 'application/json', 'X-Token': '' },
    })
    // A new value typed for one replaces it.
    expect(buildRequest({ ...v, headers: 'Accept: application/json\nAuthorization: Bearer new' }, target).body).toEqual({
      headers: { Accept: 'application/json', Authorization: 'Bearer new' },
    })
  })

  it('reads headers one per line', () => {
    expect(parseHeaders('X-A: 1\n\n  Authorization: Bearer a:b  ')).toEqual({
      headers: { 'X-A': '1', Authorization: 'Bearer a:b' },
    })
    expect(parseHeaders(':nope').error).toBeDefined()
  })

  it("puts the API's field errors under their fields and the rest on top", () => {
    const { byField, other } = placeErrors([
      { field: 'url', message: 'must be an absolute http or https URL' },
      { field: 'interval_seconds', message: 'must be between 5 and 86400' },
      { field: 'headers.X-Token', message: 'value must be one line' },
      { field: 'body', message: 'is not valid JSON' },
      { field: 'warp_factor', message: 'is not a known field' },
    ])
    expect(byField).toEqual({
      url: ['must be an absolute http or https URL'],
      interval: ['must be between 5 and 86400'],
      headers: ['value must be one line'],
    })
    expect(other).toEqual(['is not valid JSON', 'warp_factor: is not a known field'])
  })

  it('sends thresholds, channels and conditions on create only when given', () => {
    const v = {
      ...emptyForm(),
      url: 'https://x.example',
      failureThreshold: '1',
      successThreshold: 4 as unknown as string,
      channelIds: [5, 2, 5],
      conditions: [
        { type: 'latency' as const, path: '', name: '', op: '<' as const, value: '800' },
        { type: 'header' as const, path: '', name: 'X-Cache', op: 'exists' as const, value: '' },
      ],
    }
    expect(buildRequest(v).body).toMatchObject({
      failure_threshold: 1,
      success_threshold: 4,
      channel_ids: [2, 5],
      conditions: [
        { type: 'latency', op: '<', value: '800' },
        { type: 'header', name: 'X-Cache', op: 'exists' },
      ],
    })
    // Untouched: the API's defaults (3, 2, the default channels, no conditions).
    const body = buildRequest({ ...emptyForm(), url: 'https://x.example' }).body
    for (const key of ['failure_threshold', 'success_threshold', 'channel_ids', 'conditions']) expect(body).not.toHaveProperty(key)
    // No channels at all is a choice, and is sent.
    expect(buildRequest({ ...emptyForm(), url: 'https://x.example', channelIds: [] }).body).toMatchObject({ channel_ids: [] })
  })

  it('patches thresholds, channels and conditions only when they changed', () => {
    const same = formFromTarget(target)
    expect(same.channelIds).toEqual([2, 5])
    expect(same.conditions).toEqual([{ type: 'json', path: '$.status', name: '', op: '==', value: 'ok' }])
    expect(buildRequest({ ...same, channelIds: [5, 2] }, target).body).toEqual({})
    expect(buildRequest({ ...same, failureThreshold: '1', channelIds: [2] }, target).body).toEqual({
      failure_threshold: 1,
      channel_ids: [2],
    })
    expect(buildRequest({ ...same, conditions: [] }, target).body).toEqual({ conditions: [] })
    const changed = { ...same, conditions: [{ ...same.conditions[0]!, value: 'green' }] }
    expect(buildRequest(changed, target).body).toEqual({ conditions: [{ type: 'json', path: '$.status', op: '==', value: 'green' }] })
  })

  it("keys a condition row's own errors by row and field", () => {
    const v = {
      ...formFromTarget(target),
      failureThreshold: 'x',
      conditions: [
        { type: 'latency' as const, path: '', name: '', op: '<' as const, value: '100' },
        { type: 'json' as const, path: '', name: '', op: '==' as const, value: '' },
      ],
    }
    const { errors } = buildRequest(v, target)
    expect(errors).toEqual({
      failureThreshold: ['must be a whole number'],
      'conditions[1].path': ['is required'],
      'conditions[1].value': ['is required'],
    })
    expect(advancedHasErrors(errors)).toBe(true)
    expect(advancedHasErrors({ 'conditions[0].op': ['x'] })).toBe(true)
    expect(advancedHasErrors({ url: ['x'] })).toBe(false)
  })

  it("puts the API's conditions[i].* errors under that row's field", () => {
    const { byField, other } = placeErrors([
      { field: 'conditions[1].op', message: 'is not valid for a latency condition' },
      { field: 'conditions[0].path', message: 'is not a valid JSONPath' },
      { field: 'conditions[1].op', message: 'twice' },
      { field: 'conditions[2]', message: 'is not an object' },
      { field: 'conditions', message: 'must have at most 10 entries' },
      { field: 'failure_threshold', message: 'must be between 1 and 100' },
      { field: 'success_threshold', message: 'must be between 1 and 100' },
      { field: 'channel_ids', message: 'names an unknown channel' },
    ])
    expect(byField).toEqual({
      'conditions[1].op': ['is not valid for a latency condition', 'twice'],
      'conditions[0].path': ['is not a valid JSONPath'],
      conditions: ['(condition 3) is not an object', 'must have at most 10 entries'],
      failureThreshold: ['must be between 1 and 100'],
      successThreshold: ['must be between 1 and 100'],
      channelIds: ['names an unknown channel'],
    })
    expect(other).toEqual([])
  })
})

describe('target form: impersonate', () => {
  it('starts at None and sends a browser on create only when chosen', () => {
    expect(emptyForm().impersonate).toBe('')
    expect(buildRequest({ ...emptyForm(), url: 'https://x.example' }).body).not.toHaveProperty('impersonate')
    expect(buildRequest({ ...emptyForm(), url: 'https://x.example', impersonate: 'chrome' }).body).toEqual({
      url: 'https://x.example',
      interval_seconds: 300,
      method: 'GET',
      headers: {},
      tags: [],
      impersonate: 'chrome',
    })
    // Another type has no such setting, whatever the form held before the switch.
    const tcp = buildRequest({ ...emptyForm(), type: 'tcp', host: 'db.example.com', port: '5432', impersonate: 'firefox' }).body
    expect(tcp).not.toHaveProperty('impersonate')
  })

  it('reads it back on edit and patches it only when changed', () => {
    const chrome: Target = { ...target, impersonate: 'chrome' }
    expect(formFromTarget(chrome).impersonate).toBe('chrome')
    expect(formFromTarget(target).impersonate).toBe('')
    expect(buildRequest(formFromTarget(chrome), chrome).body).toEqual({})
    expect(buildRequest({ ...formFromTarget(chrome), impersonate: 'safari' }, chrome).body).toEqual({ impersonate: 'safari' })
    // Back to None is a change too, sent as "".
    expect(buildRequest({ ...formFromTarget(chrome), impersonate: '' }, chrome).body).toEqual({ impersonate: '' })
    expect(buildRequest({ ...formFromTarget(target), impersonate: 'firefox' }, target).body).toEqual({ impersonate: 'firefox' })
  })

  it('turns it off with the type when the target stops being http, as the server does', () => {
    const chrome: Target = { ...target, impersonate: 'chrome' }
    const v = { ...formFromTarget(chrome), type: 'tcp' as const, host: 'shop.example.com', port: '443', conditions: [] }
    expect(buildRequest(v, chrome).body).toMatchObject({ type: 'tcp', url: 'tcp://shop.example.com:443', impersonate: '' })
    // A tcp target never had one: nothing to send.
    const port: Target = { ...target, type: 'tcp', url: 'tcp://db.example.com:5432', headers: {}, secret_headers: [], conditions: [] }
    expect(buildRequest(formFromTarget(port), port).body).not.toHaveProperty('impersonate')
  })

  it("puts the API's impersonate error under the control, or on top when the control is hidden", () => {
    const fields = [{ field: 'impersonate', message: 'must be one of "" (no browser), chrome, firefox or safari' }]
    const http = placeErrors(fields, formFromTarget(target))
    expect(http).toEqual({ byField: { impersonate: [fields[0]!.message] }, other: [] })
    expect(advancedHasErrors(http.byField)).toBe(true)
    const tcp = placeErrors(fields, { ...emptyForm(), type: 'tcp' })
    expect(tcp).toEqual({ byField: {}, other: [`impersonate: ${fields[0]!.message}`] })
  })

  it('names the browsers in plain words', () => {
    expect(IMPERSONATIONS.map((i) => i.label)).toEqual(['None', 'Chrome', 'Firefox', 'Safari'])
    expect(impersonationLabel('chrome')).toBe('Chrome')
    expect(impersonationLabel('')).toBe('')
    expect(impersonationLabel('edge')).toBe('edge')
  })
})
