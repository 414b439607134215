// The audit log as the dashboard shows it — each change as "field: before → after",
// values as text — and its filter and page in the URL (?kind=user&page=2&size=100).
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { components } from '../api/schema'
import { DEFAULT_PAGE_SIZE, PAGE_SIZES } from './listQuery'

type AuditEntry = components['schemas']['AuditEntry']
export type AuditKind = AuditEntry['kind']
export type AuditAction = AuditEntry['action']
type AuditChange = components['schemas']['AuditChange']

export const AUDIT_KINDS: readonly AuditKind[] = ['target', 'channel', 'user', 'api_key', 'status_page', 'config']

export const AUDIT_KIND_LABELS: Record<AuditKind, string> = {
  target: 'Target',
  channel: 'Channel',
  user: 'User',
  api_key: 'API key',
  status_page: 'Status page',
  config: 'Configuration',
}

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = { create: 'Create', update: 'Update', delete: 'Delete' }

/** What stands for no value: null (before a create, after a delete) or absent. */
export const NO_VALUE = '—'

/**
 * A value as text: strings as they are, numbers and booleans in words, objects and
 * lists as JSON, null as "—". Never markup: the caller renders it as text.
 */
export function formatAuditValue(v: unknown): string {
  if (v === null || v === undefined) return NO_VALUE
  if (typeof v === 'string') return v === '' ? '""' : v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

export interface ChangeLine {
  field: string
  before: string
  after: string
  /** "field: before → after" */
  text: string
}

/** The changes of one entry, by field name, each as "field: before → after". */
export function changeLines(changes: Record<string, AuditChange> | null | undefined): ChangeLine[] {
  return Object.keys(changes ?? {})
    .sort()
    .map((field) => {
      const c = changes![field]
      const before = formatAuditValue(c?.before)
      const after = formatAuditValue(c?.after)
      return { field, before, after, text: `${field}: ${before} → ${after}` }
    })
}

export interface AuditQuery {
  kind: AuditKind | ''
  /** 1-based. */
  page: number
  size: number
}

function first(v: LocationQuery[string] | undefined): string {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : ''
}

export function parseAuditQuery(query: LocationQuery): AuditQuery {
  const kind = first(query.kind)
  const page = Number.parseInt(first(query.page), 10)
  const size = Number.parseInt(first(query.size), 10)
  return {
    kind: (AUDIT_KINDS as readonly string[]).includes(kind) ? (kind as AuditKind) : '',
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  }
}

/** The URL query, defaults left out. */
export function toAuditRouteQuery(q: AuditQuery): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  if (q.kind) out.kind = q.kind
  if (q.page > 1) out.page = String(q.page)
  if (q.size !== DEFAULT_PAGE_SIZE) out.size = String(q.size)
  return out
}

/** The API's query for one page of the log. */
export function toAuditApiQuery(q: AuditQuery) {
  return { limit: q.size, offset: (q.page - 1) * q.size, kind: q.kind || undefined }
}
