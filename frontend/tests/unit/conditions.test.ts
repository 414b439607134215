import { describe, expect, it } from 'vitest'
import type { ConditionType } from '../../src/api/types'
import {
  CONDITION_OPS,
  CONDITION_TYPES,
  OP_LABELS,
  conditionFromRow,
  newConditionRow,
  opsFor,
  sameConditions,
  subjectField,
  takesValue,
  withType,
} from '../../src/lib/conditions'

describe('conditions editor', () => {
  it('offers only the operators valid for each type', () => {
    expect(opsFor('latency')).toEqual(['<', '<='])
    expect(opsFor('body')).toEqual(['contains', 'not_contains', 'matches', 'not_matches'])
    expect(opsFor('json')).toEqual(['==', '!=', '<', '<=', '>', '>=', 'exists', 'not_exists', 'contains', 'matches'])
    expect(opsFor('header')).toEqual(['exists', 'not_exists', '==', '!=', 'contains', 'matches'])
    // Every type has a list, and every operator listed has words.
    for (const t of CONDITION_TYPES) expect(CONDITION_OPS[t.value].length).toBeGreaterThan(0)
    for (const ops of Object.values(CONDITION_OPS)) for (const op of ops) expect(OP_LABELS[op]).toBeTruthy()
  })

  it('asks for a JSON path or a header name only when the type needs one', () => {
    const subjects = (['latency', 'body', 'json', 'header'] as ConditionType[]).map(subjectField)
    expect(subjects).toEqual([null, null, 'path', 'name'])
    expect(takesValue('exists')).toBe(false)
    expect(takesValue('not_exists')).toBe(false)
    expect(takesValue('==')).toBe(true)
  })

  it('keeps the operator across a type change when the new type has it, else takes its first', () => {
    const row = { ...newConditionRow('json'), op: 'contains' as const }
    expect(withType(row, 'header').op).toBe('contains')
    expect(withType(row, 'latency').op).toBe('<')
    expect(withType({ ...row, op: '<=' }, 'latency').op).toBe('<=')
    expect(withType({ ...row, op: '>' }, 'body').op).toBe('contains')
  })

  it('makes the Condition the API takes, with only the fields its type uses', () => {
    expect(conditionFromRow({ type: 'latency', path: '$.x', name: 'X', op: '<', value: ' 800 ' })).toEqual({
      condition: { type: 'latency', op: '<', value: '800' },
      errors: {},
    })
    expect(conditionFromRow({ type: 'json', path: ' $.status ', name: '', op: '==', value: 'ok' }).condition).toEqual({
      type: 'json',
      path: '$.status',
      op: '==',
      value: 'ok',
    })
    expect(conditionFromRow({ type: 'header', path: '', name: 'X-Cache', op: 'exists', value: 'ignored' }).condition).toEqual({
      type: 'header',
      name: 'X-Cache',
      op: 'exists',
    })
    // Body text keeps its spaces.
    expect(conditionFromRow({ type: 'body', path: '', name: '', op: 'contains', value: ' ok ' }).condition.value).toBe(' ok ')
  })

  it('says what a row is missing, by field', () => {
    expect(conditionFromRow({ type: 'latency', path: '', name: '', op: '<', value: 'fast' }).errors).toEqual({
      value: 'must be a whole number of milliseconds',
    })
    expect(conditionFromRow({ type: 'json', path: '$.', name: '', op: '!=', value: '' }).errors).toEqual({
      path: 'is required',
      value: 'is required',
    })
    expect(conditionFromRow({ type: 'header', path: '', name: ' ', op: 'not_exists', value: '' }).errors).toEqual({ name: 'is required' })
    expect(conditionFromRow({ type: 'latency', path: '', name: '', op: 'contains', value: '5' }).errors.op).toMatch(/must be one of <, <=/)
  })

  it('tells equal condition lists apart from changed ones, whatever empty fields the API returns', () => {
    expect(sameConditions([{ type: 'header', name: 'X', op: 'exists' }], [{ type: 'header', name: 'X', op: 'exists', value: '', path: '' }])).toBe(
      true,
    )
    expect(sameConditions([{ type: 'latency', op: '<', value: '800' }], [{ type: 'latency', op: '<', value: '900' }])).toBe(false)
    expect(sameConditions([], [{ type: 'latency', op: '<', value: '800' }])).toBe(false)
  })
})
