// Short names for the schemas of the generated OpenAPI types (schema.d.ts, made by
// `npm run gen:api` from ../docs/openapi.json; never edited by hand).
import type { components, operations } from './schema'

type Schemas = components['schemas']

export type Target = Schemas['Target']
export type TargetCreate = Schemas['TargetCreate']
export type TargetPatch = Schemas['TargetPatch']
export type TargetList = Schemas['TargetList']
export type Check = Schemas['Check']
export type Stats = Schemas['Stats']
export type TargetStats = Schemas['TargetStats']
export type Heartbeat = Schemas['Heartbeat']
export type Beat = Schemas['Beat']
export type TokenPair = Schemas['TokenPair']
export type User = Schemas['User']
export type Problem = Schemas['Problem']
export type FieldError = Schemas['FieldError']
export type HttpMethod = Target['method']
export type Condition = Schemas['Condition']
export type ConditionType = Condition['type']
export type ConditionOp = Condition['op']
export type Channel = Schemas['Channel']
export type ChannelCreate = Schemas['ChannelCreate']
export type ChannelPatch = Schemas['ChannelPatch']
export type ChannelList = Schemas['ChannelList']
export type ChannelType = Channel['type']
export type Incident = Schemas['Incident']
export type IncidentList = Schemas['IncidentList']
export type IncidentKind = Incident['kind']
export type WarmWindow = Schemas['WarmWindow']
export type Platform = Schemas['Platform']
export type PlatformList = Schemas['PlatformList']
export type Budget = Schemas['Budget']
export type BudgetList = Schemas['BudgetList']
/** The orders the target list can be sorted in (a leading - reverses). */
export type TargetSort = NonNullable<NonNullable<operations['listTargets']['parameters']['query']>['sort']>
