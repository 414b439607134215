// A target's conditions — rules its answer must meet beyond the expected status — as
// the form's editor shows them: one row per condition, with only the operators that
// make sense for its type, and the Condition the API takes made from each row.
import type { Condition, ConditionOp, ConditionType } from '../api/types'
import { type CheckType, DNS_RCODES, hasCertificate } from './checkTypes'

/** Every kind of condition: http's, and those the check types add (cert_days, answer, rcode, packet_loss). */
export type ConditionKind = ConditionType

/** What each type checks, in the order the type select lists them. */
export const CONDITION_TYPES = [
  { value: 'latency', label: 'Latency' },
  { value: 'body', label: 'Body' },
  { value: 'json', label: 'JSON' },
  { value: 'header', label: 'Header' },
  { value: 'cert_days', label: 'Certificate days' },
  { value: 'answer', label: 'Answer' },
  { value: 'rcode', label: 'Response code' },
  { value: 'packet_loss', label: 'Packet loss' },
] as const satisfies readonly { value: ConditionKind; label: string }[]

/** The condition kinds a check type offers; https adds cert_days to http's. */
export function conditionKindsFor(type: CheckType, url = ''): readonly ConditionKind[] {
  switch (type) {
    case 'http':
      return hasCertificate(type, url) ? ['latency', 'body', 'json', 'header', 'cert_days'] : ['latency', 'body', 'json', 'header']
    case 'tcp':
      return ['latency']
    case 'tls':
      return ['latency', 'cert_days']
    case 'dns':
      return ['answer', 'rcode', 'latency']
    case 'icmp':
      return ['latency', 'packet_loss']
    default:
      return []
  }
}

type MissingType = Exclude<ConditionType, (typeof CONDITION_TYPES)[number]['value']>
const everyTypeListed: [MissingType] extends [never] ? true : MissingType = true
void everyTypeListed

/** The operators the API accepts for each type, in the order the select lists them. */
export const CONDITION_OPS: Readonly<Record<ConditionKind, readonly ConditionOp[]>> = {
  latency: ['<', '<='],
  cert_days: ['>', '>='],
  answer: ['contains', 'not_contains', '==', 'matches', 'not_matches'],
  rcode: ['==', '!='],
  packet_loss: ['<', '<='],
  body: ['contains', 'not_contains', 'matches', 'not_matches'],
  json: ['==', '!=', '<', '<=', '>', '>=', 'exists', 'not_exists', 'contains', 'matches'],
  header: ['exists', 'not_exists', '==', '!=', 'contains', 'matches'],
}

/** Each operator in words. */
export const OP_LABELS: Readonly<Record<ConditionOp, string>> = {
  '<': 'is below',
  '<=': 'is at most',
  '>': 'is above',
  '>=': 'is at least',
  '==': 'equals',
  '!=': 'does not equal',
  contains: 'contains',
  not_contains: 'does not contain',
  matches: 'matches regexp',
  not_matches: 'does not match regexp',
  exists: 'exists',
  not_exists: 'does not exist',
}

/** Operators that compare with nothing: the row has no value. */
const NO_VALUE: ReadonlySet<ConditionOp> = new Set<ConditionOp>(['exists', 'not_exists'])

/** One row of the editor; every field a string, as the inputs hold them. */
export interface ConditionRow {
  type: ConditionKind
  /** The JSONPath of a json condition. */
  path: string
  /** The header of a header condition. */
  name: string
  op: ConditionOp
  value: string
}

export type ConditionField = 'type' | 'path' | 'name' | 'op' | 'value'

export function opsFor(type: ConditionKind): readonly ConditionOp[] {
  return CONDITION_OPS[type]
}

export function takesValue(op: ConditionOp): boolean {
  return !NO_VALUE.has(op)
}

/** Which extra field a type asks for: a JSON path, a header name, or none. */
export function subjectField(type: ConditionKind): 'path' | 'name' | null {
  if (type === 'json') return 'path'
  if (type === 'header') return 'name'
  return null
}

export function newConditionRow(type: ConditionKind = 'latency'): ConditionRow {
  return { type, path: type === 'json' ? '$.' : '', name: '', op: CONDITION_OPS[type][0]!, value: type === 'rcode' ? DNS_RCODES[0] : '' }
}

/** The row after its type changed: the operator kept when the new type has it, else its first. */
export function withType(row: ConditionRow, type: ConditionKind): ConditionRow {
  const ops = CONDITION_OPS[type]
  const value = type === 'rcode' ? DNS_RCODES[0] : row.type === 'rcode' ? '' : row.value
  return { ...row, type, op: ops.includes(row.op) ? row.op : ops[0]!, value }
}

export function rowFromCondition(c: Condition): ConditionRow {
  return { type: c.type, path: c.path ?? '', name: c.name ?? '', op: c.op, value: c.value ?? '' }
}

/** The key the form keeps a row's field errors under, as the API names them: "conditions[1].op". */
export function conditionKey(index: number, field: ConditionField): `conditions[${number}].${ConditionField}` {
  return `conditions[${index}].${field}`
}

/**
 * The Condition the API takes from one row: the path only for json, the name only for
 * header, no value for exists / not_exists; or what is missing, by field.
 */
export function conditionFromRow(row: ConditionRow): { condition: Condition; errors: Partial<Record<ConditionField, string>> } {
  const errors: Partial<Record<ConditionField, string>> = {}
  const c: Condition = { type: row.type, op: row.op }
  if (!CONDITION_OPS[row.type]?.includes(row.op)) errors.op = `must be one of ${CONDITION_OPS[row.type]?.join(', ') ?? ''}`
  const subject = subjectField(row.type)
  if (subject === 'path') {
    const path = String(row.path ?? '').trim()
    if (!path || path === '$.') errors.path = 'is required'
    c.path = path
  } else if (subject === 'name') {
    const name = String(row.name ?? '').trim()
    if (!name) errors.name = 'is required'
    c.name = name
  }
  if (takesValue(row.op)) {
    // Vue's v-model hands a number input's value over as a number.
    const value = String(row.value ?? '')
    const trimmed = value.trim()
    if (row.type === 'latency') {
      if (!/^\d+$/.test(trimmed)) errors.value = 'must be a whole number of milliseconds'
      c.value = trimmed
    } else if (row.type === 'cert_days') {
      if (!/^\d+$/.test(trimmed)) errors.value = 'must be a whole number of days'
      c.value = trimmed
    } else if (row.type === 'packet_loss') {
      if (!/^\d+(\.\d+)?$/.test(trimmed) || Number(trimmed) > 100) errors.value = 'must be a percentage from 0 to 100'
      c.value = trimmed
    } else if (row.type === 'rcode') {
      if (!(DNS_RCODES as readonly string[]).includes(trimmed.toUpperCase())) errors.value = `must be one of ${DNS_RCODES.join(', ')}`
      c.value = trimmed.toUpperCase()
    } else {
      if (!trimmed) errors.value = 'is required'
      // Body and answer text and regexps keep their spaces; JSON and header values are trimmed.
      c.value = row.type === 'body' || row.type === 'answer' ? value : trimmed
    }
  }
  return { condition: c, errors }
}

/** The same conditions, whatever order their keys are in (for telling whether they changed). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  const norm = (list: readonly Condition[]) =>
    JSON.stringify(list.map((c) => [c.type, c.path ?? '', c.name ?? '', c.op, c.value ?? '']))
  return norm(a) === norm(b)
}
