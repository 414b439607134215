import { computed, shallowRef } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { Check, Target } from '../api/types'
import { addressLabel } from '../lib/checkTypes'
import { askConfirm, openEditTarget } from '../stores/dialogs'
import { useApi } from '../stores/session'
import { targetsChanged } from '../stores/targetEvents'
import { notify } from '../stores/toasts'

// What the row buttons and the target page do: pause/resume, check now, edit and
// delete (after asking in words). Results and pending states are kept by target id,
// so each row shows its own and only that row re-renders.

export type PendingAction = 'pause' | 'resume' | 'check' | 'delete'

export interface CheckResult {
  check: Check
  at: number
}

const RESULT_MS = 60_000
const pending = shallowRef<ReadonlyMap<number, PendingAction>>(new Map())
const results = shallowRef<ReadonlyMap<number, CheckResult>>(new Map())

function setPending(id: number, action: PendingAction | null) {
  const next = new Map(pending.value)
  if (action) next.set(id, action)
  else next.delete(id)
  pending.value = next
}

function failed(what: string, err: unknown) {
  if (err instanceof NetworkError) return // the banner says it
  if (err instanceof ApiError && err.status === 401) return // back to the login screen
  notify(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'error')
}

export function useTargetActions() {
  const api = useApi()

  async function setActive(t: Target, active: boolean): Promise<Target | null> {
    setPending(t.id, active ? 'resume' : 'pause')
    try {
      const updated = await api.patch('/targets/{id}', { path: { id: t.id }, body: { is_active: active } })
      notify(`${updated.name} ${active ? 'resumed' : 'paused'}`)
      targetsChanged()
      return updated
    } catch (err) {
      failed(`Could not ${active ? 'resume' : 'pause'} ${t.name}`, err)
      return null
    } finally {
      setPending(t.id, null)
    }
  }

  async function checkNow(t: Target): Promise<Check | null> {
    setPending(t.id, 'check')
    try {
      const check = await api.post('/targets/{id}/check', { path: { id: t.id } })
      const entry = { check, at: Date.now() }
      const next = new Map(results.value)
      next.set(t.id, entry)
      results.value = next
      // The answer stays beside the button for a minute, then the row is as before.
      setTimeout(() => {
        if (results.value.get(t.id) !== entry) return
        const rest = new Map(results.value)
        rest.delete(t.id)
        results.value = rest
      }, RESULT_MS)
      targetsChanged()
      return check
    } catch (err) {
      failed(`Could not check ${t.name}`, err)
      return null
    } finally {
      setPending(t.id, null)
    }
  }

  async function remove(t: Target): Promise<boolean> {
    const ok = await askConfirm({
      title: `Delete ${t.name}?`,
      body:
        t.type === 'heartbeat'
          ? `WatchDog stops waiting for its pings (the ping URL stops working) and forgets its history. This cannot be undone.`
          : `WatchDog stops checking ${addressLabel(t)} and forgets its history. This cannot be undone.`,
      confirmLabel: 'Delete',
    })
    if (!ok) return false
    setPending(t.id, 'delete')
    try {
      await api.delete('/targets/{id}', { path: { id: t.id } })
      notify(`${t.name} deleted`)
      targetsChanged()
      return true
    } catch (err) {
      failed(`Could not delete ${t.name}`, err)
      return false
    } finally {
      setPending(t.id, null)
    }
  }

  return {
    pending: computed(() => pending.value),
    results: computed(() => results.value),
    setActive,
    checkNow,
    remove,
    edit: (t: Target) => openEditTarget(t),
  }
}
