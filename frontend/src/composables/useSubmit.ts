import { type Ref, nextTick, ref } from 'vue'
import { ApiError, NetworkError } from '../api/errors'
import type { FieldError } from '../api/types'

/**
 * A form's messages by its own keys ("url", "conditions.0.path"), shown under each
 * field. A form whose keys are any string (rows made at run time) keeps a plain record.
 */
export type FieldMessages<K extends string> = string extends K ? Record<string, string[]> : Partial<Record<K, string[]>>

/** What a form shows: messages under its fields and lines at its top. */
export interface Placed<K extends string> {
  byField: FieldMessages<K>
  other: string[]
}

/** Turns the fields an API problem names (`errors[]`) into a form's messages. */
export type Placer<K extends string> = (fields: readonly FieldError[], err: ApiError) => Placed<K>

export type SubmitResult<T> = { ok: true; value: T } | { ok: false }

export interface SubmitOptions<K extends string> {
  /**
   * Where the API's field errors go: each form key with the request field it sends
   * ({ expires: 'expires_at' }), or a function for forms with rows of fields. A named
   * field the form does not have becomes a line at the top.
   */
  fields: Readonly<Record<K, string>> | Placer<K>
  /** The top line when the API cannot be reached: what did not happen, and what to do. */
  unreachable: string
  /** The form, whose first invalid control takes the focus once errors are shown. */
  form?: Readonly<Ref<HTMLElement | null>>
  /** Which controls may take that focus (default: `[aria-invalid="true"]`). */
  focusable?: string
  /**
   * Answers this form words itself (a 429's wait, a 409 that is always one field):
   * return what to show, or nothing for the usual placing. Runs before anything else,
   * so a login form can read its own 401s.
   */
  explain?: (err: unknown) => Partial<Placed<K>> | null | undefined
  /** Runs after errors are shown (e.g. to open the section holding one). */
  onShow?: (shown: Placed<K>) => void
}

/**
 * The one way a form submits: `submit(action)` runs the request while `busy` is set
 * (a second submit meanwhile is ignored), and an RFC 9457 problem it throws lands under
 * the fields its `errors[]` name — the rest, a problem without fields, an unreachable
 * API or any other failure as lines at the top of the form. A 401 shows nothing: the
 * session is over and the login screen takes over. `show` places a form's own checks
 * the same way, before anything is sent.
 */
export function useSubmit<K extends string>(opts: SubmitOptions<K>) {
  const none = () => ({}) as FieldMessages<K>
  const busy = ref(false)
  const errors = ref(none()) as Ref<FieldMessages<K>>
  const formErrors = ref<string[]>([])

  function reset() {
    errors.value = none()
    formErrors.value = []
  }

  async function focusFirstError() {
    await nextTick()
    opts.form?.value?.querySelector<HTMLElement>(opts.focusable ?? '[aria-invalid="true"]')?.focus()
  }

  /** Shows messages (a form's own checks, or an answer) and moves the focus to the first. */
  function show(byField: FieldMessages<K>, other: string[] = []) {
    errors.value = byField
    formErrors.value = other
    opts.onShow?.({ byField, other })
    void focusFirstError()
  }

  /** What an error means for this form, or null when it shows nothing. */
  function place(err: unknown): Placed<K> | null {
    const own = opts.explain?.(err)
    if (own) return { byField: own.byField ?? none(), other: own.other ?? [] }
    if (err instanceof ApiError) {
      if (err.status === 401) return null
      const placed = placeApiFields(err, opts.fields)
      if (!err.fields.length) placed.other.push(err.message)
      return placed
    }
    if (err instanceof NetworkError) return { byField: none(), other: [opts.unreachable] }
    return { byField: none(), other: [err instanceof Error ? err.message : String(err)] }
  }

  /**
   * Runs `action` unless a submit is under way, clearing the last messages first.
   * Resolves with its value once it succeeded (busy is over by then, so the form may
   * close), or `{ ok: false }` when it failed (its errors are shown) or did not run.
   */
  async function submit<T>(action: () => Promise<T>): Promise<SubmitResult<T>> {
    if (busy.value) return { ok: false }
    reset()
    busy.value = true
    try {
      return { ok: true, value: await action() }
    } catch (err) {
      const placed = place(err)
      if (placed) show(placed.byField, placed.other)
      return { ok: false }
    } finally {
      busy.value = false
    }
  }

  return { busy, errors, formErrors, submit, show, reset }
}

function placeApiFields<K extends string>(err: ApiError, fields: SubmitOptions<K>['fields']): Placed<K> {
  if (typeof fields !== 'function') return placeNamed(err, fields)
  const placed = fields(err.fields, err)
  return { byField: placed.byField, other: [...placed.other] }
}

/**
 * Places a problem's field errors by name: each form key with the request field it
 * sends. Errors of fields the form does not have are lines for the top of the form.
 */
export function placeNamed<K extends string>(err: ApiError, names: Readonly<Record<K, string>>): Placed<K> {
  const { byKey, other } = err.placeFields(names)
  const byField = {} as Record<K, string[]>
  for (const key of Object.keys(byKey) as K[]) if (byKey[key].length) byField[key] = byKey[key]
  return { byField: byField as FieldMessages<K>, other }
}
