// @vitest-environment node
// Status pages' rules: the overall banner, percentages, incident words, slug
// suggestion, the editor's checks, bodies and error placement, the preview, and the
// badge snippets.
import { describe, expect, it } from 'vitest'
import {
  OVERALL_LABELS,
  type PickedTarget,
  type StatusPage,
  UNTITLED,
  badgeMarkdown,
  buildStatusPageRequest,
  emptyStatusPageForm,
  escapeMarkdownText,
  formatPercent,
  incidentOutcome,
  isValidSlug,
  moveItem,
  overallStatus,
  placeStatusPageErrors,
  previewPage,
  statusPageFormFrom,
  suggestSlug,
  validateStatusPageForm,
  withTitle,
} from '../../src/lib/statusPage'

type S = 'up' | 'down' | 'unknown' | 'paused'
const ts = (...statuses: S[]) => statuses.map((status) => ({ status }))

describe('overallStatus', () => {
  it.each<[string, S[], keyof typeof OVERALL_LABELS]>([
    ['no targets', [], 'nodata'],
    ['only unknown', ['unknown', 'unknown'], 'nodata'],
    ['only paused', ['paused'], 'nodata'],
    ['all up', ['up', 'up', 'up'], 'operational'],
    ['up with paused and unknown left out', ['up', 'paused', 'unknown'], 'operational'],
    ['the only target down', ['down'], 'major'],
    ['one of two down', ['up', 'down'], 'partial'],
    ['one of three down', ['up', 'up', 'down'], 'partial'],
    ['two of three down', ['down', 'up', 'down'], 'major'],
    ['all checked ones down', ['down', 'down', 'paused', 'unknown'], 'major'],
    ['one down, one up, paused ignored', ['down', 'up', 'paused', 'paused'], 'partial'],
  ])('%s', (_name, statuses, want) => {
    expect(overallStatus(ts(...statuses))).toBe(want)
  })

  it('has words for each verdict', () => {
    expect(OVERALL_LABELS).toEqual({
      operational: 'All systems operational',
      partial: 'Partial outage',
      major: 'Major outage',
      nodata: 'No data yet',
    })
  })
})

describe('formatPercent', () => {
  it.each<[number | null | undefined, string]>([
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
    [1, '100%'],
    [1.2, '100%'],
    [0, '0%'],
    [-0.1, '0%'],
    [0.9995, '99.95%'],
    [0.999, '99.9%'],
    [0.5, '50%'],
    [0.98765, '98.76%'],
    // Never 100% while something failed, never 0% while something worked.
    [0.99999, '99.99%'],
    [0.000001, '0.01%'],
  ])('%s → %s', (ratio, want) => {
    expect(formatPercent(ratio)).toBe(want)
  })
})

describe('incidentOutcome', () => {
  it('says Ongoing while open, and how long it lasted once resolved', () => {
    const started = '2026-11-25T10:00:00Z'
    expect(incidentOutcome({ started_at: started, resolved_at: null })).toBe('Ongoing')
    expect(incidentOutcome({ started_at: started, resolved_at: '2026-11-25T10:04:12Z' })).toBe('Lasted 4 min 12 s')
  })
})

describe('suggestSlug', () => {
  it.each([
    ['Acme Status', 'acme-status'],
    ['  Acme   status!!  ', 'acme-status'],
    ['Café Zürich', 'cafe-zurich'],
    ['Shop API v2.1', 'shop-api-v2-1'],
    ['--Ops--', 'ops'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['!!!', ''],
    ['', ''],
    ['日本語', ''],
  ])('%j → %j', (title, want) => {
    const slug = suggestSlug(title)
    expect(slug).toBe(want)
    if (slug) expect(isValidSlug(slug)).toBe(true)
  })

  it('keeps to 64 characters and never ends with a dash', () => {
    const slug = suggestSlug(`${'a'.repeat(63)} b c`)
    expect(slug).toBe('a'.repeat(63))
    expect(isValidSlug(suggestSlug(`${'word '.repeat(30)}`))).toBe(true)
    expect(suggestSlug(`${'word '.repeat(30)}`).length).toBeLessThanOrEqual(64)
  })

  it('follows the title until the slug is typed', () => {
    let v = withTitle(emptyStatusPageForm(), 'Acme')
    expect(v.slug).toBe('acme')
    v = withTitle(v, 'Acme Status')
    expect(v.slug).toBe('acme-status')
    v = withTitle({ ...v, slug: 'mine', slugTouched: true }, 'Other')
    expect(v).toMatchObject({ title: 'Other', slug: 'mine' })
  })
})

describe('isValidSlug', () => {
  it.each([
    ['acme', true],
    ['a', true],
    ['a-b-9', true],
    ['-a', false],
    ['a-', false],
    ['A', false],
    ['a_b', false],
    ['..', false],
    ['', false],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
  ])('%j → %s', (slug, want) => expect(isValidSlug(slug)).toBe(want))
})

const page: StatusPage = {
  id: 3,
  slug: 'acme',
  title: 'Acme status',
  description: 'Ours.',
  target_ids: [1, 2],
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
}

describe('the editor form', () => {
  it('checks what it can by itself', () => {
    expect(validateStatusPageForm(emptyStatusPageForm())).toEqual({ slug: ['is required'], title: ['is required'] })
    const long = { ...emptyStatusPageForm(), slug: 'Bad Slug', title: 'x'.repeat(101), description: 'y'.repeat(2001) }
    const errors = validateStatusPageForm(long)
    expect(Object.keys(errors).sort()).toEqual(['description', 'slug', 'title'])
    // Characters, not UTF-16 units: 100 emoji are a fine title.
    expect(validateStatusPageForm({ ...long, slug: 'ok', title: '🙂'.repeat(100), description: '' })).toEqual({})
  })

  it('makes a create body, description only when given', () => {
    const v = { ...withTitle(emptyStatusPageForm(), ' Acme status '), targetIds: [2, 1] }
    expect(buildStatusPageRequest(v).body).toEqual({ slug: 'acme-status', title: 'Acme status', target_ids: [2, 1] })
    expect(buildStatusPageRequest({ ...v, description: 'Hi\nthere ' }).body).toMatchObject({ description: 'Hi\nthere' })
  })

  it('makes a patch of what changed, the target list whole when its order changed', () => {
    const v = statusPageFormFrom(page)
    expect(v.slugTouched).toBe(true)
    expect(buildStatusPageRequest(v, page).body).toEqual({})
    expect(buildStatusPageRequest({ ...v, title: 'New' }, page).body).toEqual({ title: 'New' })
    expect(buildStatusPageRequest({ ...v, targetIds: [2, 1] }, page).body).toEqual({ target_ids: [2, 1] })
    expect(buildStatusPageRequest({ ...v, targetIds: [] }, page).body).toEqual({ target_ids: [] })
    expect(buildStatusPageRequest({ ...v, description: '' }, page).body).toEqual({ description: '' })
  })

  it("places the API's field errors under their fields, target_ids[i] under that target", () => {
    const placed = placeStatusPageErrors(
      [
        { field: 'slug', message: 'is already taken' },
        { field: 'title', message: 'must be at most 100 printable characters' },
        { field: 'target_ids[1]', message: 'is not a known target' },
        { field: 'target_ids[9]', message: 'is odd' },
        { field: 'target_ids', message: 'must list at most 200 targets' },
        { field: 'body', message: 'is not JSON' },
        { field: 'other', message: 'is wrong' },
      ],
      [5, 7],
    )
    expect(placed.byField).toEqual({
      slug: ['is already taken'],
      title: ['must be at most 100 printable characters'],
      'target:7': ['is not a known target'],
      targets: ['is odd', 'must list at most 200 targets'],
    })
    expect(placed.other).toEqual(['is not JSON', 'other: is wrong'])
  })
})

describe('previewPage', () => {
  it('draws the form as the public page would show it', () => {
    const known = new Map<number, PickedTarget>([
      [1, { id: 1, name: 'shop-api', status: 'up', uptime24h: 0.9995, uptime30d: 0.99 }],
      [2, { id: 2, name: 'gone', status: 'unknown', missing: true }],
    ])
    const p = previewPage({ title: ' Acme ', description: 'Line 1\nLine 2', targetIds: [3, 1, 2] }, known, 0)
    expect(p).toEqual({
      title: 'Acme',
      description: 'Line 1\nLine 2',
      targets: [
        { id: 3, name: 'Target #3', status: 'unknown', uptime_24h: null, uptime_30d: null },
        { id: 1, name: 'shop-api', status: 'up', uptime_24h: 0.9995, uptime_30d: 0.99 },
      ],
      incidents: [],
      generated_at: '1970-01-01T00:00:00.000Z',
    })
    expect(previewPage({ title: '', description: '', targetIds: [] }, known).title).toBe(UNTITLED)
  })
})

describe('moveItem', () => {
  it('moves one place, clamped to the ends', () => {
    expect(moveItem([1, 2, 3], 0, 1)).toEqual([2, 1, 3])
    expect(moveItem([1, 2, 3], 2, -1)).toEqual([1, 3, 2])
    expect(moveItem([1, 2, 3], 0, -1)).toEqual([1, 2, 3])
    expect(moveItem([1, 2, 3], 2, 1)).toEqual([1, 2, 3])
    expect(moveItem([1, 2, 3], 5, 1)).toEqual([1, 2, 3])
  })
})

describe('badges', () => {
  it('writes Markdown linking the badge to the page, the name escaped', () => {
    expect(badgeMarkdown('shop-api', 'status', 'https://w.example/api/v1/public/badges/1/status.svg', 'https://w.example/status/acme')).toBe(
      '[![shop-api status](https://w.example/api/v1/public/badges/1/status.svg)](https://w.example/status/acme)',
    )
    expect(badgeMarkdown('a', 'uptime-7d', 'I', 'P')).toBe('[![a uptime 7 d](I)](P)')
    expect(escapeMarkdownText('[x](y) *b* <i>\nz')).toBe('\\[x\\](y) \\*b\\* \\<i\\> z')
  })
})
