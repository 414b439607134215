import { describe, expect, it } from 'vitest'
import { ApiError } from '../../src/api/errors'

describe('ApiError.placeFields', () => {
  it("puts a form's own fields under its keys and the rest on top", () => {
    const err = new ApiError(422, {
      type: 'urn:watchdog:problem:validation',
      title: 'Invalid request',
      status: 422,
      errors: [
        { field: 'expires_at', message: 'must be in the future' },
        { field: 'role', message: 'cannot be above your own role, viewer' },
        { field: 'body', message: 'is odd' },
      ],
    })
    const placed = err.placeFields({ name: 'name', role: 'role', expires: 'expires_at' })
    expect(placed.byKey).toEqual({
      name: [],
      role: ['cannot be above your own role, viewer'],
      expires: ['must be in the future'],
    })
    expect(placed.other).toEqual(['body is odd'])
  })
})
