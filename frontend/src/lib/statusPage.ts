// Public status pages as WatchDog shows them: the overall banner in words, uptime as a
// percentage, incident kinds in words a visitor understands, the editor's slug
// suggestion, its local checks and request bodies, where the API's field errors go, the
// live preview built from the form, and the badge snippets. Kept apart from the
// components so each rule is tested alone.
import type { components } from '../api/schema'
import type { FieldError, Target } from '../api/types'
import { formatDuration, incidentSeconds } from './incidents'
import { type TargetStatus, targetStatus } from './status'

type Schemas = components['schemas']
export type StatusPage = Schemas['StatusPage']
export type StatusPageCreate = Schemas['StatusPageCreate']
export type StatusPagePatch = Schemas['StatusPagePatch']
export type PublicStatusPage = Schemas['PublicStatusPage']
export type PublicTarget = Schemas['PublicTarget']
export type PublicIncident = Schemas['PublicIncident']

// ---------------------------------------------------------------------------------
// The overall banner

export type OverallKind = 'operational' | 'partial' | 'major' | 'nodata'

export const OVERALL_LABELS: Record<OverallKind, string> = {
  operational: 'All systems operational',
  partial: 'Partial outage',
  major: 'Major outage',
  nodata: 'No data yet',
}

/**
 * The page's one-line verdict. Only targets with a known state count: paused ones are
 * left out on purpose, and unknown ones have not been checked enough to say.
 * - none counted (no targets, or all paused or unknown): "No data yet";
 * - none of them down: "All systems operational";
 * - more than half of them down (a single target down included): "Major outage";
 * - otherwise: "Partial outage".
 */
export function overallStatus(targets: readonly Pick<PublicTarget, 'status'>[]): OverallKind {
  let up = 0
  let down = 0
  for (const t of targets) {
    if (t.status === 'up') up++
    else if (t.status === 'down') down++
  }
  const known = up + down
  if (known === 0) return 'nodata'
  if (down === 0) return 'operational'
  return down * 2 > known ? 'major' : 'partial'
}

// ---------------------------------------------------------------------------------
// Numbers and words

/**
 * An uptime ratio (0..1) as a percentage with at most two decimals and no trailing
 * zeros: "99.95%", "99.9%", "100%", "0%"; "—" when there is none. It never rounds up
 * to 100% while something failed, nor down to 0% while something worked.
 */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—'
  if (ratio >= 1) return '100%'
  if (ratio <= 0) return '0%'
  const hundredths = Math.min(9999, Math.max(1, Math.floor(ratio * 10_000 + 1e-9)))
  return `${Number((hundredths / 100).toFixed(2))}%`
}

/** Incident kinds in a visitor's words. */
export const PUBLIC_INCIDENT_KIND_LABELS: Record<PublicIncident['kind'], string> = {
  down: 'Outage',
  warm_gap: 'Slow to wake up',
}

/** "Lasted 4 min 12 s", or "Ongoing" while it is open. */
export function incidentOutcome(i: Pick<PublicIncident, 'started_at' | 'resolved_at'>, now: number = Date.now()): string {
  if (i.resolved_at === null || i.resolved_at === '') return 'Ongoing'
  return `Lasted ${formatDuration(incidentSeconds(i, now))}`
}

// ---------------------------------------------------------------------------------
// Slugs

export const SLUG_MAX = 64
export const TITLE_MAX = 100
export const DESCRIPTION_MAX = 2000
export const TARGETS_MAX = 200
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/

/** Whether the API would take s as a slug. */
export function isValidSlug(s: string): boolean {
  return s.length > 0 && s.length <= SLUG_MAX && SLUG_PATTERN.test(s)
}

/**
 * A slug made from a title: "Acme Status!" → "acme-status", "Café Zürich" →
 * "cafe-zurich". Accents dropped, anything else between words turned into one dash,
 * no dash at either end, at most 64 characters; "" when nothing is left.
 */
export function suggestSlug(title: string): string {
  const plain = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return plain.slice(0, SLUG_MAX).replace(/-+$/, '')
}

// ---------------------------------------------------------------------------------
// The editor's form

export interface StatusPageFormValues {
  slug: string
  title: string
  description: string
  /** The targets shown, in order. */
  targetIds: number[]
  /** Whether the user typed a slug; until then it follows the title. */
  slugTouched: boolean
}

/**
 * Field errors by "slug", "title", "description", "targets" (the list as a whole) and
 * "target:<id>" (one listed target).
 */
export type StatusPageFieldErrors = Record<string, string[]>

export function emptyStatusPageForm(): StatusPageFormValues {
  return { slug: '', title: '', description: '', targetIds: [], slugTouched: false }
}

export function statusPageFormFrom(p: StatusPage): StatusPageFormValues {
  return { slug: p.slug, title: p.title, description: p.description, targetIds: [...p.target_ids], slugTouched: true }
}

/** The title changed: the slug follows it while the user has not typed one. */
export function withTitle(v: StatusPageFormValues, title: string): StatusPageFormValues {
  return v.slugTouched ? { ...v, title } : { ...v, title, slug: suggestSlug(title) }
}

/** Characters as a person counts them (an emoji is one). */
function chars(s: string): number {
  return [...s].length
}

/** What the form can tell by itself, before asking the API. */
export function validateStatusPageForm(v: StatusPageFormValues): StatusPageFieldErrors {
  const errors: StatusPageFieldErrors = {}
  const slug = v.slug.trim()
  if (!slug) errors.slug = ['is required']
  else if (!isValidSlug(slug)) errors.slug = [`must be 1 to ${SLUG_MAX} lowercase letters, digits and inner dashes`]
  const title = v.title.trim()
  if (!title) errors.title = ['is required']
  else if (chars(title) > TITLE_MAX) errors.title = [`must be at most ${TITLE_MAX} characters`]
  if (chars(v.description.trim()) > DESCRIPTION_MAX) errors.description = [`must be at most ${DESCRIPTION_MAX} characters`]
  if (v.targetIds.length > TARGETS_MAX) errors.targets = [`must list at most ${TARGETS_MAX} targets`]
  return errors
}

/**
 * The create body, or the patch body of what changed (target_ids whole when the list or
 * its order changed), and the errors the form can tell by itself.
 */
export function buildStatusPageRequest(
  v: StatusPageFormValues,
  original?: StatusPage | null,
): { body: StatusPageCreate | StatusPagePatch; errors: StatusPageFieldErrors } {
  const errors = validateStatusPageForm(v)
  const slug = v.slug.trim()
  const title = v.title.trim()
  const description = v.description.trim()
  const targetIds = [...v.targetIds]
  if (!original) {
    const body: StatusPageCreate = { slug, title, target_ids: targetIds }
    if (description) body.description = description
    return { body, errors }
  }
  const patch: StatusPagePatch = {}
  if (slug !== original.slug) patch.slug = slug
  if (title !== original.title) patch.title = title
  if (description !== original.description) patch.description = description
  if (targetIds.length !== original.target_ids.length || targetIds.some((id, i) => id !== original.target_ids[i])) {
    patch.target_ids = targetIds
  }
  return { body: patch, errors }
}

/**
 * Sorts the API's field errors: slug, title and description under their inputs;
 * "target_ids[i]" under the i-th target of the list as it was sent (so the message
 * follows the target if the user moves it afterwards); "target_ids" under the list;
 * the rest to the top of the form.
 */
export function placeStatusPageErrors(
  fields: readonly FieldError[],
  sentTargetIds: readonly number[],
): { byField: StatusPageFieldErrors; other: string[] } {
  const byField: StatusPageFieldErrors = {}
  const other: string[] = []
  const put = (key: string, message: string) => (byField[key] = [...(byField[key] ?? []), message])
  for (const f of fields) {
    const item = /^target_ids\[(\d+)\]/.exec(f.field)
    if (f.field === 'slug' || f.field === 'title' || f.field === 'description') put(f.field, f.message)
    else if (item) {
      const id = sentTargetIds[Number(item[1])]
      if (id !== undefined) put(`target:${id}`, f.message)
      else put('targets', f.message)
    } else if (f.field === 'target_ids') put('targets', f.message)
    else other.push(f.field && f.field !== 'body' ? `${f.field}: ${f.message}` : f.message)
  }
  return { byField, other }
}

// ---------------------------------------------------------------------------------
// The live preview

/** What the editor knows of a target: from the targets list, heartbeats and stats. */
export interface PickedTarget {
  id: number
  name: string
  status: TargetStatus
  /** undefined while not yet asked; null when there were no checks. */
  uptime24h?: number | null
  uptime30d?: number | null
  /** The API said there is no such target (deleted since the page was saved). */
  missing?: boolean
}

export function pickedFromTarget(t: Pick<Target, 'id' | 'name' | 'is_active' | 'last_status'>): PickedTarget {
  return { id: t.id, name: t.name, status: targetStatus(t) }
}

/** A listed target not known yet (or gone): its number stands in for its name. */
export function placeholderName(id: number, missing = false): string {
  return missing ? `Target #${id} (deleted)` : `Target #${id}`
}

export const UNTITLED = 'Untitled status page'

/**
 * The page a visitor would see if the form were saved now, from the form's values and
 * what is known of its targets: the same shape the public endpoint answers with, so
 * the preview and the public page are drawn by the same component. Incidents are the
 * public page's own and not previewed.
 */
export function previewPage(
  v: Pick<StatusPageFormValues, 'title' | 'description' | 'targetIds'>,
  known: ReadonlyMap<number, PickedTarget>,
  now: number = Date.now(),
): PublicStatusPage {
  const targets: PublicTarget[] = []
  for (const id of v.targetIds) {
    const t = known.get(id)
    if (t?.missing) continue // the public page leaves it out as well
    targets.push({
      id,
      name: t?.name ?? placeholderName(id),
      status: t?.status ?? 'unknown',
      uptime_24h: t?.uptime24h ?? null,
      uptime_30d: t?.uptime30d ?? null,
    })
  }
  return {
    title: v.title.trim() || UNTITLED,
    description: v.description.trim(),
    targets,
    incidents: [],
    generated_at: new Date(now).toISOString(),
  }
}

// ---------------------------------------------------------------------------------
// Moving targets in the list

/** The list with the item at `index` moved by `by` places (clamped to the ends). */
export function moveItem<T>(list: readonly T[], index: number, by: number): T[] {
  const next = [...list]
  if (index < 0 || index >= list.length) return next
  const to = Math.min(list.length - 1, Math.max(0, index + by))
  const [item] = next.splice(index, 1)
  next.splice(to, 0, item as T)
  return next
}

// ---------------------------------------------------------------------------------
// Links and badges

export type BadgeKind = 'status' | 'uptime-24h' | 'uptime-7d' | 'uptime-30d'

export const BADGE_KINDS: readonly { kind: BadgeKind; label: string }[] = [
  { kind: 'status', label: 'Status' },
  { kind: 'uptime-24h', label: 'Uptime 24 h' },
  { kind: 'uptime-7d', label: 'Uptime 7 d' },
  { kind: 'uptime-30d', label: 'Uptime 30 d' },
]

/** The API path of a badge (under /api/v1). */
export function badgePath(targetId: number, kind: BadgeKind): string {
  return `/public/badges/${targetId}/${kind}.svg`
}

/** Text as Markdown shows it literally inside [ ] (an image's alt text, a link's text). */
export function escapeMarkdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\[\]`*_<>]/g, (c) => `\\${c}`)
}

/** `[![shop-api status](…/status.svg)](…/status/acme)`: the badge, linking to the page. */
export function badgeMarkdown(name: string, kind: BadgeKind, imageUrl: string, pageUrl: string): string {
  const what = BADGE_KINDS.find((b) => b.kind === kind)?.label.toLowerCase() ?? kind
  return `[![${escapeMarkdownText(`${name} ${what}`)}](${imageUrl})](${pageUrl})`
}
