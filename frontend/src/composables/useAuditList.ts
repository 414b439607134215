import type { Ref } from 'vue'
import type { components } from '../api/schema'
import { type AuditQuery, toAuditApiQuery } from '../lib/audit'
import { useApi } from '../stores/session'
import { usePolledPage } from './usePolledPage'

type AuditEntry = components['schemas']['AuditEntry']

/**
 * The audit log page's list: one page of entries for the kind in the URL, newest
 * first (usePolledPage: every 5 s with If-None-Match, so new changes show up on the
 * first page).
 */
export function useAuditList(query: Ref<AuditQuery>) {
  const api = useApi()
  return usePolledPage(query, {
    fetch: (q) => api.get('/audit', { query: toAuditApiQuery(q), cache: true }),
    key: (e: AuditEntry) => e.id,
  })
}
