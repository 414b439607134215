// The kinds of check a target can be, as the dashboard shows them: a name and one line
// of help each, the address each takes in its URL (tcp://host:port, dns://resolver/name?type=A,
// …) built from the form's inputs and read back from a saved target, and the condition
// kinds that make sense for each. The server's rules are in backend/internal/target
// (ParseEndpoint); these only mirror the forms so the form can fill its inputs.
import type { Target } from '../api/types'

export type CheckType = Target['type']

export interface CheckTypeInfo {
  value: CheckType
  label: string
  help: string
}

/** The types in the order the form offers them, http first (the default). */
export const CHECK_TYPES: readonly CheckTypeInfo[] = [
  { value: 'http', label: 'Website or API', help: 'HTTP(S): it answers with the expected status' },
  { value: 'tcp', label: 'Port', help: 'TCP: the port accepts connections' },
  { value: 'tls', label: 'Certificate', help: 'TLS: the handshake completes; the certificate is valid' },
  { value: 'dns', label: 'DNS record', help: 'DNS: the name resolves to at least one record' },
  { value: 'icmp', label: 'Ping', help: 'ICMP: the host answers echo requests' },
  { value: 'heartbeat', label: 'Cron job', help: 'HTTP heartbeat: your job pings WatchDog; silence means down' },
]

/** A short badge for the list: "HTTP", "TCP", …, "Cron". */
export const TYPE_BADGES: Readonly<Record<CheckType, string>> = {
  http: 'HTTP',
  tcp: 'TCP',
  tls: 'TLS',
  dns: 'DNS',
  icmp: 'Ping',
  heartbeat: 'Cron',
}

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'PTR', 'SOA', 'CAA'] as const
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number]
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP'] as const
export const DEFAULT_DNS_PORT = 53

/** The parts of a non-http address, as the form's inputs hold them (every field a string). */
export interface Endpoint {
  /** The host to connect to or ping; for dns, the resolver ("" = the system's). */
  host: string
  /** tcp/tls: the port; dns: the resolver's port ("" = 53). */
  port: string
  /** dns: the name to look up and the record type. */
  name: string
  recordType: DnsRecordType
}

export function emptyEndpoint(): Endpoint {
  return { host: '', port: '', name: '', recordType: 'A' }
}

/** Whether a host is an IPv6 literal: two or more colons, hex digits and dots, an optional %zone. */
export function isIpv6Literal(host: string): boolean {
  const m = /^([0-9a-f:.]+)(%.+)?$/i.exec(host.trim())
  return !!m && (m[1]!.match(/:/g)?.length ?? 0) >= 2
}

// An IPv6 literal goes in brackets in a URL's authority, its zone's "%" as "%25".
function hostPart(host: string): string {
  const h = host.trim()
  if (!isIpv6Literal(h)) return h
  const i = h.indexOf('%')
  return i < 0 ? `[${h}]` : `[${h.slice(0, i)}%25${h.slice(i + 1).replace(/^25/, '')}]`
}

/**
 * A Host input holding more than a host: "db.example.com:5432", "[::1]:53" or
 * "tcp://db.example.com:5432/x" split into host and port; an error when a port
 * cannot be told apart; null when it is a host alone (an IPv6 literal included).
 */
export function splitHostInput(input: string): { host: string; port: string } | { error: string } | null {
  let h = input.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(h)
  if (scheme) h = h.slice(scheme[0].length).replace(/[/?#].*$/, '').replace(/^[^@]*@/, '')
  if (!h || isIpv6Literal(h)) return scheme ? { host: h, port: '' } : null
  const bracket = /^\[([^\]]+)\](?::(\d*))?$/.exec(h)
  if (bracket) return { host: bracket[1]!.replace(/%25/, '%'), port: bracket[2] ?? '' }
  const m = /^([^:]+):(\d+)$/.exec(h)
  if (m) return { host: m[1]!, port: m[2]! }
  if (h.includes(':')) return { error: 'Host only — put the port in Port' }
  return scheme ? { host: h, port: '' } : null
}

/**
 * The URL of a tcp, tls, dns or icmp target from its parts: tcp://host:port,
 * tls://host:port, icmp://host, dns://resolver:port/name?type=A or dns:///name?type=A
 * without a resolver. "" for http and heartbeat (the form keeps an http URL as typed;
 * a heartbeat has none).
 */
export function buildEndpointUrl(type: CheckType, e: Endpoint): string {
  const host = hostPart(String(e.host ?? ''))
  const port = String(e.port ?? '').trim()
  switch (type) {
    case 'tcp':
    case 'tls':
      return `${type}://${host}${port ? `:${port}` : ''}`
    case 'icmp':
      return `icmp://${host}`
    case 'dns': {
      const name = String(e.name ?? '').trim().replace(/^\/+/, '')
      const resolver = host ? `${host}${port && port !== String(DEFAULT_DNS_PORT) ? `:${port}` : ''}` : ''
      return `dns://${resolver}/${name}?type=${e.recordType}`
    }
    default:
      return ''
  }
}

/** The parts of a saved target's URL, the inverse of buildEndpointUrl; empty parts where it does not parse. */
export function parseEndpointUrl(type: CheckType, url: string): Endpoint {
  const e = emptyEndpoint()
  const m = /^([a-z]+):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?(\/[^?#]*)?(?:\?([^#]*))?/i.exec(url.trim())
  if (!m || m[1]!.toLowerCase() !== type) return e
  e.host = m[2]!.replace(/^\[(.*)\]$/, '$1').replace(/%25/, '%')
  e.port = m[3] ?? ''
  if (type === 'dns') {
    e.name = (m[4] ?? '').replace(/^\//, '')
    const t = new URLSearchParams(m[5] ?? '').get('type')?.toUpperCase() ?? 'A'
    e.recordType = (DNS_RECORD_TYPES as readonly string[]).includes(t) ? (t as DnsRecordType) : 'A'
    if (e.host && !e.port) e.port = String(DEFAULT_DNS_PORT)
  }
  return e
}

/**
 * The address the list shows under a target's name, in the type's own words:
 * "db.example.com:5432", "A example.com @1.1.1.1", "pinged by your job".
 */
export function addressLabel(t: Pick<Target, 'type' | 'url'>): string {
  const type = t.type ?? 'http'
  switch (type) {
    case 'http':
      return t.url
    case 'heartbeat':
      return 'pinged by your job'
    case 'dns': {
      const e = parseEndpointUrl(type, t.url)
      if (!e.name) return t.url
      const port = e.port && e.port !== String(DEFAULT_DNS_PORT) ? `:${e.port}` : ''
      return `${e.recordType} ${e.name}${e.host ? ` @${port ? hostPart(e.host) : e.host}${port}` : ''}`
    }
    default: {
      const e = parseEndpointUrl(type, t.url)
      if (!e.host) return t.url
      return e.port ? `${hostPart(e.host)}:${e.port}` : e.host
    }
  }
}

/** Whether a target of this type and URL sees a certificate: https and tls. */
export function hasCertificate(type: CheckType, url: string): boolean {
  return type === 'tls' || (type === 'http' && /^\s*https:/i.test(url))
}

/** Whole days from now until `at` (negative once past); null without a date. */
export function daysUntil(at: string | null | undefined, now: number = Date.now()): number | null {
  if (!at) return null
  const t = Date.parse(at)
  if (Number.isNaN(t)) return null
  return Math.floor((t - now) / 86_400_000)
}

export type CertState = 'ok' | 'warn' | 'expired'

/** Amber within the warning days, red once expired. */
export function certState(at: string, warnDays: number, now: number = Date.now()): CertState {
  const t = Date.parse(at)
  if (t <= now) return 'expired'
  return warnDays > 0 && t - now < warnDays * 86_400_000 ? 'warn' : 'ok'
}

/** "in 96 days", "in 1 day", "today", "expired 3 days ago". */
export function certDaysWords(at: string, now: number = Date.now()): string {
  const t = Date.parse(at)
  if (t <= now) {
    const ago = Math.floor((now - t) / 86_400_000)
    return ago === 0 ? 'expired today' : `expired ${ago} ${ago === 1 ? 'day' : 'days'} ago`
  }
  const d = Math.floor((t - now) / 86_400_000)
  return d === 0 ? 'within a day' : `in ${d} ${d === 1 ? 'day' : 'days'}`
}
