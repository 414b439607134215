import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { ApiError, NetworkError } from '../../src/api/errors'
import type { FieldError } from '../../src/api/types'
import { useSubmit } from '../../src/composables/useSubmit'

// The one way a form submits: busy while the request runs, a problem's field errors
// under the fields they name, everything else as lines at the top.

function problem(status: number, errors: FieldError[] = [], detail = 'The request is not valid.') {
  return new ApiError(status, { type: 'urn:watchdog:problem:validation', title: 'Invalid', status, detail, errors })
}

const unreachable = "Can't reach the WatchDog API. Nothing was saved."

function form() {
  return useSubmit({ fields: { name: 'name', expires: 'expires_at' }, unreachable })
}

describe('useSubmit', () => {
  it('is busy while the action runs, and gives back its value', async () => {
    const f = form()
    let finish!: (v: number) => void
    const done = f.submit(() => new Promise<number>((resolve) => (finish = resolve)))
    expect(f.busy.value).toBe(true)
    finish(42)
    expect(await done).toEqual({ ok: true, value: 42 })
    expect(f.busy.value).toBe(false)
  })

  it('ignores a second submit while the first runs', async () => {
    const f = form()
    let finish!: () => void
    const first = f.submit(() => new Promise<void>((resolve) => (finish = resolve)))
    let ran = false
    expect(
      await f.submit(async () => {
        ran = true
      }),
    ).toEqual({ ok: false })
    expect(ran).toBe(false)
    finish()
    expect((await first).ok).toBe(true)
  })

  it('places field errors under the fields they name, by the request field each key sends', async () => {
    const f = form()
    const res = await f.submit(() =>
      Promise.reject(
        problem(400, [
          { field: 'name', message: 'is taken' },
          { field: 'expires_at', message: 'is in the past' },
        ]),
      ),
    )
    expect(res.ok).toBe(false)
    expect(f.errors.value).toEqual({ name: ['is taken'], expires: ['is in the past'] })
    expect(f.formErrors.value).toEqual([])
    expect(f.busy.value).toBe(false)
  })

  it('puts a field the form does not have at the top of the form', async () => {
    const f = form()
    await f.submit(() => Promise.reject(problem(400, [{ field: 'owner', message: 'is unknown' }, { field: 'name', message: 'is empty' }])))
    expect(f.errors.value).toEqual({ name: ['is empty'] })
    expect(f.formErrors.value).toEqual(['owner is unknown'])
  })

  it("says a problem without fields in the problem's own words", async () => {
    const f = form()
    await f.submit(() => Promise.reject(problem(409, [], 'A key with this name exists.')))
    expect(f.errors.value).toEqual({})
    expect(f.formErrors.value).toEqual(['A key with this name exists.'])
  })

  it('says the API cannot be reached at the top of the form', async () => {
    const f = form()
    await f.submit(() => Promise.reject(new NetworkError('fetch failed')))
    expect(f.formErrors.value).toEqual([unreachable])
    expect(f.errors.value).toEqual({})
  })

  it('shows any other failure by its message', async () => {
    const f = form()
    await f.submit(() => Promise.reject(new Error('boom')))
    expect(f.formErrors.value).toEqual(['boom'])
  })

  it('shows nothing for a 401: the login screen takes over', async () => {
    const f = form()
    const res = await f.submit(() => Promise.reject(problem(401, [], 'Log in again.')))
    expect(res.ok).toBe(false)
    expect(f.formErrors.value).toEqual([])
    expect(f.errors.value).toEqual({})
  })

  it('clears the last errors when submitting again', async () => {
    const f = form()
    await f.submit(() => Promise.reject(problem(400, [{ field: 'name', message: 'is taken' }])))
    expect(f.errors.value.name).toEqual(['is taken'])
    expect((await f.submit(async () => 'fine')).ok).toBe(true)
    expect(f.errors.value).toEqual({})
    expect(f.formErrors.value).toEqual([])
  })

  it('lets a form place rows of fields with its own placer, and word answers itself', async () => {
    const shown: string[][] = []
    const f = useSubmit({
      fields: (fields) => ({
        byField: Object.fromEntries(fields.map((e) => [e.field.replace(/\[(\d+)\]/, '.$1'), [e.message]])),
        other: [],
      }),
      unreachable,
      explain: (err) => (err instanceof ApiError && err.status === 429 ? { other: ['Too many attempts.'] } : null),
      onShow: ({ other }) => shown.push(other),
    })
    await f.submit(() => Promise.reject(problem(400, [{ field: 'tags[2]', message: 'is too long' }])))
    expect(f.errors.value).toEqual({ 'tags.2': ['is too long'] })
    await f.submit(() => Promise.reject(problem(429)))
    expect(f.formErrors.value).toEqual(['Too many attempts.'])
    expect(shown).toEqual([[], ['Too many attempts.']])
  })

  it("moves the focus to the form's first invalid control when errors are shown", async () => {
    const el = document.createElement('form')
    el.innerHTML = '<input id="a" aria-invalid="false"><input id="b" aria-invalid="true">'
    document.body.append(el)
    const f = useSubmit({ fields: { name: 'name' }, unreachable, form: ref(el) })
    f.show({ name: ['is needed.'] })
    await nextTick()
    await nextTick()
    expect(document.activeElement?.id).toBe('b')
    expect(f.errors.value).toEqual({ name: ['is needed.'] })
    el.remove()
  })
})
