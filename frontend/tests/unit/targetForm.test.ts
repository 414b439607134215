import { describe, expect, it } from 'vitest'
import type { Target } from '../../src/api/types'
import { buildRequest, emptyForm, formFromTarget, parseHeaders, placeErrors } from '../../src/lib/targetForm'

const target: Target = {
  id: 7,
  name: 'shop-api',
  url: 'https://shop.example.com/health',
  method: 'GET',
  headers: { 'X-Token': 'abc' },
  interval_seconds: 60,
  timeout_seconds: 10,
  expected_status: '200-399',
  is_active: true,
  tags: ['prod', 'shop'],
  retries: 3,
  retry_delay_seconds: 15,
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
})
