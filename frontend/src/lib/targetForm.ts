// The add/edit form's values, the request body they make, and where the API's field
// errors go. Kept apart from the component so it can be tested on its own.
import type { Condition, FieldError, HttpMethod, Platform, Target, TargetCreate, TargetPatch } from '../api/types'
import {
  type CheckType,
  type DnsRecordType,
  DEFAULT_DNS_PORT,
  buildEndpointUrl,
  hasCertificate,
  parseEndpointUrl,
} from './checkTypes'
import {
  type ConditionKind,
  type ConditionField,
  type ConditionRow,
  conditionFromRow,
  conditionKey,
  conditionKindsFor,
  rowFromCondition,
  sameConditions,
} from './conditions'
import { type DurationUnit, fromUnits, toUnits } from './heartbeat'
import {
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  keepWarmInterval,
  type WindowErrorKey,
  type WindowField,
  type WindowRow,
  rowFromWindow,
  sameWindows,
  windowKey,
  windowsFromRows,
} from './keepWarm'

export const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** The server's defaults for settings only http has: a target of another type must keep them. */
export const DEFAULT_METHOD: HttpMethod = 'GET'
export const DEFAULT_EXPECTED_STATUS = '200-399'
export const DEFAULT_CERT_EXPIRY_DAYS = 14
export const DEFAULT_PERIOD_SECONDS = 86_400
export const DEFAULT_GRACE_SECONDS = 3600

/** The browsers an http target's requests can look like on the wire; "" is none. */
export type Impersonation = NonNullable<TargetCreate['impersonate']>

/** The Impersonate choices, "None" (the server's default) first. */
export const IMPERSONATIONS: readonly { value: Impersonation; label: string }[] = [
  { value: '', label: 'None' },
  { value: 'chrome', label: 'Chrome' },
  { value: 'firefox', label: 'Firefox' },
  { value: 'safari', label: 'Safari' },
]

/** "Chrome" for "chrome"; "" for none (or a value this dashboard does not know yet, said as is). */
export function impersonationLabel(value: string | undefined): string {
  if (!value) return ''
  return IMPERSONATIONS.find((i) => i.value === value)?.label ?? value
}

export interface TargetFormValues {
  /** The kind of check; the rest of the form shows only its fields. */
  type: CheckType
  /** An http target's URL as typed; the other types' URL is built from the parts below. */
  url: string
  /** tcp/tls/icmp: the host; dns: the resolver ("" = the system's). */
  host: string
  /** tcp/tls: the port; dns: the resolver's port. */
  port: string
  /** dns: the name looked up and its record type. */
  dnsName: string
  recordType: DnsRecordType
  /** https and tls: the warning days ("" = the server's 14) and the TLS options. */
  certExpiryDays: string
  tlsCaPem: string
  tlsClientCertPem: string
  /** Write-only: "" keeps the key the target has (tlsClientKeySet), unless removed. */
  tlsClientKeyPem: string
  tlsClientKeySet: boolean
  tlsClientKeyRemoved: boolean
  tlsSkipVerify: boolean
  /** heartbeat: a ping expected every period (plus grace), or at each time of a cron schedule. */
  schedule: 'period' | 'cron'
  period: string
  periodUnit: DurationUnit
  grace: string
  graceUnit: DurationUnit
  cron: string
  name: string
  interval: string
  timeout: string
  method: HttpMethod
  expectedStatus: string
  /** The plain headers, "Name: value" per line; a credential typed here is set. */
  headers: string
  /** http: the browser whose TLS and HTTP/2 fingerprint the requests carry ("" = none). */
  impersonate: Impersonation
  /**
   * Credential headers the target has (Authorization, *-Token, …): the API never
   * shows their values, so the form shows them as set and keeps them unless removed.
   */
  secretHeaders: string[]
  /** Of those, the ones the user removed: sent as "", which removes them. */
  removedSecretHeaders: string[]
  tags: string
  retries: string
  retryDelay: string
  failureThreshold: string
  successThreshold: string
  /**
   * The channels it notifies. null on a new target until the user changes the
   * selection: the API then subscribes the default channels, which the form shows ticked.
   */
  channelIds: number[] | null
  conditions: ConditionRow[]
  /** Keep-warm: a platform preset's key (or ""), and the fields it fills. */
  keepWarm: boolean
  platform: string
  idleTimeout: string
  wakeTimeout: string
  timezone: string
  budgetGroup: string
  /** Weekly windows; none means always. */
  windows: WindowRow[]
}

export type FormField = keyof TargetFormValues

/** Where a condition row's field errors go: "conditions[1].op", as the API names them. */
export type ConditionErrorKey = `conditions[${number}].${ConditionField}`

/** The form field that shows the API's errors for each JSON field of a target. */
export const FORM_FIELD_FOR: Readonly<Record<string, FormField>> = {
  type: 'type',
  url: 'url',
  cert_expiry_days: 'certExpiryDays',
  tls_ca_pem: 'tlsCaPem',
  tls_client_cert_pem: 'tlsClientCertPem',
  tls_client_key_pem: 'tlsClientKeyPem',
  tls_skip_verify: 'tlsSkipVerify',
  period_seconds: 'period',
  grace_seconds: 'grace',
  cron: 'cron',
  name: 'name',
  interval_seconds: 'interval',
  timeout_seconds: 'timeout',
  method: 'method',
  expected_status: 'expectedStatus',
  headers: 'headers',
  impersonate: 'impersonate',
  tags: 'tags',
  retries: 'retries',
  retry_delay_seconds: 'retryDelay',
  failure_threshold: 'failureThreshold',
  success_threshold: 'successThreshold',
  channel_ids: 'channelIds',
  conditions: 'conditions',
  keep_warm: 'keepWarm',
  platform: 'platform',
  idle_timeout_seconds: 'idleTimeout',
  wake_timeout_seconds: 'wakeTimeout',
  timezone: 'timezone',
  budget_group: 'budgetGroup',
  warm_windows: 'windows',
}

/** Fields kept under "Advanced": opened when one of them has an error. */
export const ADVANCED_FIELDS: readonly FormField[] = [
  'timeout',
  'method',
  'expectedStatus',
  'headers',
  'impersonate',
  'tags',
  'retries',
  'retryDelay',
  'failureThreshold',
  'successThreshold',
  'channelIds',
  'conditions',
  'certExpiryDays',
  'tlsCaPem',
  'tlsClientCertPem',
  'tlsClientKeyPem',
  'tlsSkipVerify',
]

/** Whether any of these errors is for a field under "Advanced" (a condition row's included). */
export function advancedHasErrors(errors: FieldErrors): boolean {
  return Object.entries(errors).some(
    ([k, v]) => (v?.length ?? 0) > 0 && ((ADVANCED_FIELDS as readonly string[]).includes(k) || k.startsWith('conditions[')),
  )
}

export function emptyForm(): TargetFormValues {
  return {
    type: 'http',
    url: '',
    host: '',
    port: '',
    dnsName: '',
    recordType: 'A',
    certExpiryDays: '',
    tlsCaPem: '',
    tlsClientCertPem: '',
    tlsClientKeyPem: '',
    tlsClientKeySet: false,
    tlsClientKeyRemoved: false,
    tlsSkipVerify: false,
    schedule: 'period',
    period: '1',
    periodUnit: 'days',
    grace: '1',
    graceUnit: 'hours',
    cron: '',
    name: '',
    interval: '300',
    timeout: '',
    method: 'GET',
    expectedStatus: '',
    headers: '',
    impersonate: '',
    secretHeaders: [],
    removedSecretHeaders: [],
    tags: '',
    retries: '',
    retryDelay: '',
    failureThreshold: '',
    successThreshold: '',
    channelIds: null,
    conditions: [],
    keepWarm: false,
    platform: '',
    idleTimeout: '',
    wakeTimeout: '',
    timezone: 'UTC',
    budgetGroup: '',
    windows: [],
  }
}

export function formFromTarget(t: Target): TargetFormValues {
  const type = t.type ?? 'http'
  const e = parseEndpointUrl(type, t.url)
  const period = toUnits(t.period_seconds ?? DEFAULT_PERIOD_SECONDS)
  const grace = toUnits(t.grace_seconds ?? DEFAULT_GRACE_SECONDS)
  return {
    type,
    url: type === 'http' ? t.url : '',
    host: e.host,
    port: e.port,
    dnsName: e.name,
    recordType: e.recordType,
    certExpiryDays: String(t.cert_expiry_days ?? DEFAULT_CERT_EXPIRY_DAYS),
    tlsCaPem: t.tls_ca_pem ?? '',
    tlsClientCertPem: t.tls_client_cert_pem ?? '',
    tlsClientKeyPem: '',
    tlsClientKeySet: !!t.tls_client_key_set,
    tlsClientKeyRemoved: false,
    tlsSkipVerify: !!t.tls_skip_verify,
    schedule: t.cron ? 'cron' : 'period',
    period: period.amount,
    periodUnit: period.unit,
    grace: grace.amount,
    graceUnit: grace.unit,
    cron: t.cron ?? '',
    name: t.name,
    interval: String(t.interval_seconds),
    timeout: String(t.timeout_seconds),
    method: t.method,
    expectedStatus: t.expected_status,
    headers: Object.entries(t.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    impersonate: t.impersonate ?? '',
    secretHeaders: [...t.secret_headers],
    removedSecretHeaders: [],
    tags: t.tags.join(', '),
    retries: String(t.retries),
    retryDelay: String(t.retry_delay_seconds),
    failureThreshold: String(t.failure_threshold),
    successThreshold: String(t.success_threshold),
    channelIds: [...t.channel_ids],
    conditions: t.conditions.map(rowFromCondition),
    keepWarm: t.keep_warm,
    platform: t.platform,
    idleTimeout: t.idle_timeout_seconds === null ? '' : String(t.idle_timeout_seconds),
    wakeTimeout: String(t.wake_timeout_seconds),
    timezone: t.timezone,
    budgetGroup: t.budget_group,
    windows: t.warm_windows.map(rowFromWindow),
  }
}

/** "Name: value" per line; blank lines are skipped. */
export function parseHeaders(text: string): { headers: Record<string, string>; error?: string } {
  const headers: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (!line) continue
    const colon = line.indexOf(':')
    if (colon <= 0) return { headers, error: `line ${i + 1} must look like "Name: value"` }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim()
  }
  return { headers }
}

/**
 * The name a target gets when none is given: its URL's host, as the Name field's
 * placeholder shows. Empty when the URL is not an http(s) URL yet.
 */
export function nameFromUrl(url: string): string {
  try {
    const u = new URL(url.trim())
    return (/^https?:$/.test(u.protocol) && u.hostname) || ''
  } catch {
    return ''
  }
}

/** The URL the form's values make for their type: as typed for http, built for the others, "" for a heartbeat. */
export function targetUrl(v: TargetFormValues): string {
  if (v.type === 'http') return v.url.trim()
  if (v.type === 'heartbeat') return ''
  return buildEndpointUrl(v.type, { host: v.host, port: v.port, name: v.dnsName, recordType: v.recordType })
}

/** The name the server gives a target left unnamed, as the Name field's placeholder shows it. */
export function defaultName(v: TargetFormValues): string {
  switch (v.type) {
    case 'http':
      return nameFromUrl(v.url)
    case 'heartbeat':
      return 'heartbeat'
    case 'dns':
      return v.dnsName.trim()
    default:
      return v.host.trim()
  }
}

/** Whether the values' target sees a certificate (https, tls): the TLS options apply. */
export function formHasCertificate(v: TargetFormValues): boolean {
  return hasCertificate(v.type, v.url)
}

/** The condition kinds the values' type offers. */
export function formConditionKinds(v: TargetFormValues): readonly ConditionKind[] {
  return conditionKindsFor(v.type, v.url)
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))]
}

export type FieldErrors = Partial<Record<FormField | ConditionErrorKey | WindowErrorKey, string[]>>

// Vue's v-model turns the value of <input type="number"> into a number (or '' when
// empty), whatever the type says: read it either way.
function wholeNumber(raw: string | number, field: FormField, errors: FieldErrors): number | undefined {
  const v = String(raw ?? '').trim()
  if (!v) return undefined
  if (!/^\d+$/.test(v)) {
    errors[field] = ['must be a whole number']
    return undefined
  }
  return Number(v)
}

/**
 * The create body, or the patch body of what changed, from the form; or the errors
 * the form can tell by itself (the API decides the rest and says so).
 */
export function buildRequest(
  v: TargetFormValues,
  original?: Target,
  preset?: Platform,
): { body: TargetCreate | TargetPatch; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const interval = wholeNumber(v.interval, 'interval', errors)
  const timeout = wholeNumber(v.timeout, 'timeout', errors)
  const retries = wholeNumber(v.retries, 'retries', errors)
  const retryDelay = wholeNumber(v.retryDelay, 'retryDelay', errors)
  const failureThreshold = wholeNumber(v.failureThreshold, 'failureThreshold', errors)
  const successThreshold = wholeNumber(v.successThreshold, 'successThreshold', errors)
  const idleTimeout = wholeNumber(v.idleTimeout, 'idleTimeout', errors)
  const wakeTimeout = wholeNumber(v.wakeTimeout, 'wakeTimeout', errors)
  const { windows, errors: windowErrors } = windowsFromRows(v.windows)
  Object.assign(errors, windowErrors)
  const platform = v.platform.trim()
  const timezone = v.timezone.trim()
  const budgetGroup = v.budgetGroup.trim()
  const conditions: Condition[] = []
  v.conditions.forEach((row, i) => {
    const { condition, errors: rowErrors } = conditionFromRow(row)
    conditions.push(condition)
    for (const [field, message] of Object.entries(rowErrors)) {
      errors[conditionKey(i, field as ConditionField)] = [message]
    }
    // The server refuses a certificate condition on a target without one (plain http…).
    if (row.type === 'cert_days' && !formHasCertificate(v) && !errors[conditionKey(i, 'type')]) {
      errors[conditionKey(i, 'type')] = ['needs an https url — remove this row']
    }
  })
  const channelIds = v.channelIds === null ? undefined : [...new Set(v.channelIds)].sort((a, b) => a - b)
  const isHttp = v.type === 'http'
  const beat = v.type === 'heartbeat'
  const cert = formHasCertificate(v)
  const { headers: typedHeaders, error: headerError } = isHttp ? parseHeaders(v.headers) : { headers: {} }
  const headers: Record<string, string> = typedHeaders
  if (headerError) errors.headers = [headerError]
  const url = targetUrl(v)
  // Say which input is missing, under that input.
  if (isHttp && !url) errors.url = ['is required']
  if ((v.type === 'tcp' || v.type === 'tls' || v.type === 'icmp') && !v.host.trim()) errors.host = ['is required']
  if ((v.type === 'tcp' || v.type === 'tls') && !/^\d+$/.test(String(v.port ?? '').trim())) errors.port = ['must be a port number']
  if (v.type === 'dns' && !v.dnsName.trim()) errors.dnsName = ['is required']
  if (v.type === 'dns' && String(v.port ?? '').trim() && !/^\d+$/.test(String(v.port).trim())) errors.port = ['must be a port number']
  // A resolver's port means nothing without a resolver: the URL would drop it.
  else if (v.type === 'dns' && !v.host.trim() && String(v.port ?? '').trim() && String(v.port).trim() !== String(DEFAULT_DNS_PORT))
    errors.port = ['needs a resolver']
  const certDays = cert ? wholeNumber(v.certExpiryDays, 'certExpiryDays', errors) : undefined
  let period: number | undefined
  let grace: number | undefined
  let cron: string | undefined
  if (beat) {
    grace = fromUnits(v.grace, v.graceUnit)
    if (Number.isNaN(grace)) {
      errors.grace = ['must be a number']
      grace = undefined
    }
    if (v.schedule === 'cron') {
      cron = v.cron.trim()
      if (!cron) errors.cron = ['is required']
    } else {
      cron = ''
      period = fromUnits(v.period, v.periodUnit)
      if (Number.isNaN(period) || period <= 0) {
        errors.period = ['must be a number above 0']
        period = undefined
      }
    }
  }

  const full: TargetCreate = {
    url,
    name: v.name.trim() || undefined,
    interval_seconds: beat ? undefined : interval,
    timeout_seconds: beat ? undefined : timeout,
    method: isHttp ? v.method : undefined,
    expected_status: isHttp ? v.expectedStatus.trim() || undefined : undefined,
    headers: isHttp ? headers : undefined,
    tags: parseTags(v.tags),
    retries: beat ? undefined : retries,
    retry_delay_seconds: beat ? undefined : retryDelay,
    failure_threshold: beat ? undefined : failureThreshold,
    success_threshold: beat ? undefined : successThreshold,
    channel_ids: channelIds,
    conditions: conditions.length ? conditions : undefined,
  }
  if (!original) {
    if (v.type !== 'http') full.type = v.type
    if (beat) {
      // A heartbeat has no URL at all; the server gives it a ping URL.
      delete (full as Partial<TargetCreate>).url
      if (period !== undefined) full.period_seconds = period
      if (grace !== undefined) full.grace_seconds = grace
      if (cron) full.cron = cron
      if (cron && timezone && timezone !== 'UTC') full.timezone = timezone
      return { body: dropUndefined(full), errors }
    }
    if (cert) {
      if (certDays !== undefined) full.cert_expiry_days = certDays
      if (v.tlsCaPem.trim()) full.tls_ca_pem = v.tlsCaPem
      if (v.tlsClientCertPem.trim()) full.tls_client_cert_pem = v.tlsClientCertPem
      if (v.tlsClientKeyPem.trim()) full.tls_client_key_pem = v.tlsClientKeyPem
      if (v.tlsSkipVerify) full.tls_skip_verify = true
    }
    if (!isHttp) return { body: dropUndefined(full), errors }
    if (v.impersonate) full.impersonate = v.impersonate
    // Keep-warm: only what is set. A platform fills the idle limit and wake timeout
    // itself (and keep_warm), so values equal to its preset's are left to it.
    const fromPreset = preset && preset.key === platform ? preset : undefined
    if (platform) full.platform = platform
    if (v.keepWarm !== Boolean(platform)) full.keep_warm = v.keepWarm
    if (idleTimeout !== undefined && idleTimeout !== fromPreset?.idle_timeout_seconds) full.idle_timeout_seconds = idleTimeout
    if (wakeTimeout !== undefined && wakeTimeout !== fromPreset?.wake_timeout_seconds)
      full.wake_timeout_seconds = wakeTimeout
    if (windows.length) full.warm_windows = windows
    if (timezone && timezone !== 'UTC') full.timezone = timezone
    if (budgetGroup) full.budget_group = budgetGroup
    return { body: dropUndefined(full), errors }
  }
  // Edit: send only what differs, so a concurrent change to another field survives.
  const patch: TargetPatch = {}
  const originalType = original.type ?? 'http'
  // A changed type goes with its URL, so the server checks the pair together.
  if (v.type !== originalType) patch.type = v.type
  if (url !== original.url || patch.type) patch.url = url
  // An emptied Name means the placeholder's: the host of the URL, the name looked up, …
  const name = full.name ?? (defaultName(v) || undefined)
  if (name !== undefined && name !== original.name) patch.name = name
  if (interval !== undefined && interval !== original.interval_seconds) patch.interval_seconds = interval
  if (timeout !== undefined && timeout !== original.timeout_seconds) patch.timeout_seconds = timeout
  // Settings only http has go back to their defaults when the target stops being one:
  // the server refuses them on another type.
  const method = isHttp ? v.method : DEFAULT_METHOD
  if (method !== original.method) patch.method = method
  const expected = isHttp ? full.expected_status : DEFAULT_EXPECTED_STATUS
  if (expected !== undefined && expected !== original.expected_status) patch.expected_status = expected
  // The plain headers are replaced; credentials left out are kept by the server, so
  // only a removed one is named (with ""). Another type drops them all.
  const removed = isHttp
    ? v.removedSecretHeaders.filter((h) => !Object.keys(headers).some((k) => k.toLowerCase() === h.toLowerCase()))
    : original.secret_headers
  if (removed.length || JSON.stringify(headers) !== JSON.stringify(original.headers)) {
    patch.headers = { ...headers, ...Object.fromEntries(removed.map((h) => [h, ''])) }
  }
  const impersonate = isHttp ? v.impersonate : ''
  if (impersonate !== (original.impersonate ?? '')) patch.impersonate = impersonate
  if (certDays !== undefined && certDays !== original.cert_expiry_days) patch.cert_expiry_days = certDays
  // Without a certificate the warning days go back to the server's default, which is the
  // only value it takes on such a target.
  if (!cert && original.cert_expiry_days !== undefined && original.cert_expiry_days !== DEFAULT_CERT_EXPIRY_DAYS)
    patch.cert_expiry_days = DEFAULT_CERT_EXPIRY_DAYS
  // The TLS options: kept for https and tls, cleared for the types without a certificate.
  const ca = cert ? v.tlsCaPem : ''
  if (ca.trim() !== (original.tls_ca_pem ?? '').trim()) patch.tls_ca_pem = ca
  const clientCert = cert ? v.tlsClientCertPem : ''
  if (clientCert.trim() !== (original.tls_client_cert_pem ?? '').trim()) patch.tls_client_cert_pem = clientCert
  if (cert && v.tlsClientKeyPem.trim()) patch.tls_client_key_pem = v.tlsClientKeyPem
  else if (original.tls_client_key_set && (!cert || v.tlsClientKeyRemoved)) patch.tls_client_key_pem = ''
  const skip = cert && v.tlsSkipVerify
  if (skip !== !!original.tls_skip_verify) patch.tls_skip_verify = skip
  if (beat) {
    if (period !== undefined && period !== original.period_seconds) patch.period_seconds = period
    if (grace !== undefined && grace !== original.grace_seconds) patch.grace_seconds = grace
    if (cron !== undefined && cron !== (original.cron ?? '')) patch.cron = cron
  }
  if (JSON.stringify(full.tags) !== JSON.stringify(original.tags)) patch.tags = full.tags
  if (retries !== undefined && retries !== original.retries) patch.retries = retries
  if (retryDelay !== undefined && retryDelay !== original.retry_delay_seconds) patch.retry_delay_seconds = retryDelay
  if (failureThreshold !== undefined && failureThreshold !== original.failure_threshold)
    patch.failure_threshold = failureThreshold
  if (successThreshold !== undefined && successThreshold !== original.success_threshold)
    patch.success_threshold = successThreshold
  if (channelIds !== undefined && !sameIds(channelIds, original.channel_ids)) patch.channel_ids = channelIds
  if (!sameConditions(conditions, original.conditions)) patch.conditions = conditions
  // Keep-warm is http's alone.
  const plat = isHttp ? platform : ''
  const keepWarm = isHttp && v.keepWarm
  if (plat !== original.platform) patch.platform = plat
  if (keepWarm !== original.keep_warm) patch.keep_warm = keepWarm
  // An emptied idle limit clears it (0), as the API takes it.
  const idle = idleTimeout ?? 0
  if (idle !== (original.idle_timeout_seconds ?? 0)) patch.idle_timeout_seconds = idle
  if (wakeTimeout !== undefined && wakeTimeout !== original.wake_timeout_seconds) patch.wake_timeout_seconds = wakeTimeout
  if (!sameWindows(windows, original.warm_windows)) patch.warm_windows = windows
  if ((timezone || 'UTC') !== original.timezone) patch.timezone = timezone || 'UTC'
  if (budgetGroup !== original.budget_group) patch.budget_group = budgetGroup
  return { body: patch, errors }
}

/**
 * Sorts the API's field errors: those of a form field go under it, the rest (the
 * body as a whole, a field the form does not show) to the top of the form.
 */
export function placeErrors(
  fields: readonly FieldError[],
  typeOrValues: CheckType | TargetFormValues = 'http',
): { byField: FieldErrors; other: string[] } {
  const values = typeof typeOrValues === 'string' ? undefined : typeOrValues
  const type: CheckType = typeof typeOrValues === 'string' ? typeOrValues : typeOrValues.type
  const placed = placeAll(fields, type)
  if (!values) return placed
  // An error under a field the form does not show (another type's, scheme's or schedule
  // mode's) would be lost: it goes to the top, named by its JSON field.
  const byField: FieldErrors = {}
  const other = [...placed.other]
  const jsonName = (key: string) =>
    Object.entries(FORM_FIELD_FOR).find(([, f]) => f === key)?.[0] ?? key
  for (const [key, messages] of Object.entries(placed.byField) as [string, string[]][]) {
    const root = key.split(/[.[]/)[0] as FormField
    if (formFieldShown(values, root)) byField[key as keyof FieldErrors] = messages
    else for (const m of messages) other.push(`${key.includes('[') ? key : jsonName(key)}: ${m}`)
  }
  return { byField, other }
}

/** Whether the form, as these values stand, renders the input of a field. */
export function formFieldShown(v: TargetFormValues, field: FormField): boolean {
  const http = v.type === 'http'
  const beat = v.type === 'heartbeat'
  switch (field) {
    case 'url':
      return http
    case 'host':
      return !http && !beat
    case 'port':
      return !http && !beat && v.type !== 'icmp'
    case 'dnsName':
    case 'recordType':
      return v.type === 'dns'
    case 'interval':
    case 'timeout':
    case 'retries':
    case 'retryDelay':
    case 'failureThreshold':
    case 'successThreshold':
      return !beat
    case 'method':
    case 'expectedStatus':
    case 'headers':
    case 'impersonate':
    case 'platform':
    case 'keepWarm':
      return http
    case 'idleTimeout':
    case 'wakeTimeout':
    case 'budgetGroup':
    case 'windows':
      return http && (v.keepWarm || !!v.platform)
    case 'timezone':
      return beat ? v.schedule === 'cron' : http && (v.keepWarm || !!v.platform)
    case 'certExpiryDays':
    case 'tlsCaPem':
    case 'tlsClientCertPem':
    case 'tlsClientKeyPem':
    case 'tlsSkipVerify':
      return formHasCertificate(v)
    case 'period':
      return beat && v.schedule === 'period'
    case 'cron':
      return beat && v.schedule === 'cron'
    case 'grace':
      return beat
    case 'conditions':
      return formConditionKinds(v).length > 0
    default:
      return true
  }
}

function placeAll(fields: readonly FieldError[], type: CheckType): { byField: FieldErrors; other: string[] } {
  const byField: FieldErrors = {}
  const other: string[] = []
  for (const f of fields) {
    // The URL of a type built from parts goes under the part it is about.
    if (f.field === 'url' && type === 'heartbeat') {
      other.push(`url: ${f.message}`)
      continue
    }
    if (f.field === 'url' && type !== 'http') {
      const key = urlPart(type, f.message)
      byField[key] = [...(byField[key] ?? []), f.message]
      continue
    }
    // A condition row's field goes under that field of that row.
    const row = /^conditions\[(\d+)\]\.(type|path|name|op|value)\b/.exec(f.field)
    if (row) {
      const key = conditionKey(Number(row[1]), row[2] as ConditionField)
      byField[key] = [...(byField[key] ?? []), f.message]
      continue
    }
    // So does a window row's: "warm_windows[0].start" under row 1's start time.
    const win = /^warm_windows\[(\d+)\]\.(days|start|end)\b/.exec(f.field)
    if (win) {
      const key = windowKey(Number(win[1]), win[2] as WindowField)
      byField[key] = [...(byField[key] ?? []), f.message]
      continue
    }
    // "headers.X-Token" or "tags[2]" belong to their field; so does "conditions[1]" as a whole.
    const root = f.field.split(/[.[]/)[0] ?? f.field
    const field = FORM_FIELD_FOR[root]
    if (field) {
      const message =
        root === 'conditions' && f.field !== root
          ? `${conditionLabel(f.field)}${f.message}`
          : root === 'warm_windows' && f.field !== root
            ? `${windowLabel(f.field)}${f.message}`
            : f.message
      byField[field] = [...(byField[field] ?? []), message]
    } else other.push(f.field && f.field !== 'body' ? `${f.field}: ${f.message}` : f.message)
  }
  return { byField, other }
}

/**
 * Which input of a type's address a "url" error is about: the port when it says so;
 * for dns the resolver when it names it (or the guard refused an address), else the name;
 * the host otherwise. A heartbeat has no address: its url error shows at the top.
 */
export function urlPart(type: CheckType, message: string): FormField {
  const m = message.toLowerCase()
  switch (type) {
    case 'tcp':
    case 'tls':
      return /\bport\b/.test(m) && !/host/.test(m) ? 'port' : 'host'
    case 'icmp':
      return 'host'
    case 'dns':
      if (/\bport\b/.test(m) && !/resolver/.test(m)) return 'port'
      return /resolver|address|private|loopback|local|refus|resolve/.test(m) && !/domain to look up|type must/.test(m)
        ? 'host'
        : /type must/.test(m)
          ? 'recordType'
          : 'dnsName'
    default:
      return 'url'
  }
}

/** "conditions[1]" → "(condition 2) ", for a row's error shown above the rows. */
function conditionLabel(field: string): string {
  const n = /^conditions\[(\d+)\]/.exec(field)
  return n ? `(condition ${Number(n[1]) + 1}) ` : ''
}

/** "warm_windows[1]" → "(window 2) ", for a row's error shown above the rows. */
function windowLabel(field: string): string {
  const n = /^warm_windows\[(\d+)\]/.exec(field)
  return n ? `(window ${Number(n[1]) + 1}) ` : ''
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const sorted = (x: readonly number[]) => [...new Set(x)].sort((p, q) => p - q).join(',')
  return sorted(a) === sorted(b)
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

/**
 * The interval the server derives for these values when the request leaves it out:
 * null unless keep-warm is on with a known idle limit.
 */
export function derivedInterval(v: TargetFormValues): number | null {
  const n = (raw: string | number, fallback: number) => {
    const t = String(raw ?? '').trim()
    return /^\d+$/.test(t) ? Number(t) : fallback
  }
  const idle = n(v.idleTimeout, 0)
  if (!v.keepWarm || idle <= 0) return null
  return keepWarmInterval(idle, n(v.timeout, DEFAULT_TIMEOUT_SECONDS), n(v.retryDelay, DEFAULT_RETRY_DELAY_SECONDS))
}
