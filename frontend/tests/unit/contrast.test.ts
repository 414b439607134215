// @vitest-environment node
// WCAG AA in both themes: every text colour the stylesheets put on a background is
// checked here against that background (4.5:1 for text, 3:1 for large text and
// graphics such as heartbeat ticks and input borders).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const css = readFileSync(resolve(import.meta.dirname, '../../src/styles/theme.css'), 'utf8')

function block(selector: string): Record<string, string> {
  const start = css.indexOf(selector)
  if (start < 0) throw new Error(`no ${selector} in theme.css`)
  const open = css.indexOf('{', start)
  const close = css.indexOf('}', open)
  const vars: Record<string, string> = {}
  for (const m of css.slice(open + 1, close).matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) vars[m[1]!] = m[2]!
  return vars
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

const TEXT: [string, string][] = [
  ['--text', '--bg'],
  ['--text', '--surface'],
  ['--text', '--surface-2'],
  ['--muted', '--bg'],
  ['--muted', '--surface'],
  ['--muted', '--surface-2'],
  ['--accent', '--bg'],
  ['--accent', '--surface'],
  ['--on-accent', '--accent-strong'],
  ['--on-danger', '--danger-strong'],
  ['--up', '--up-bg'],
  ['--up', '--surface'],
  ['--down', '--down-bg'],
  ['--down', '--surface'],
  ['--down', '--bg'],
  ['--cold', '--cold-bg'],
  ['--cold', '--surface'],
  ['--unknown', '--unknown-bg'],
  ['--paused', '--paused-bg'],
  ['--text', '--down-bg'],
  ['--text', '--cold-bg'],
  ['--muted', '--down-bg'],
  ['--banner-text', '--banner-bg'],
]

const GRAPHICS: [string, string][] = [
  ['--up', '--surface'],
  ['--down', '--surface'],
  ['--cold', '--surface'],
  ['--border-strong', '--bg'],
  ['--focus', '--bg'],
  ['--focus', '--surface'],
]

const themes = {
  dark: block(':root {'),
  light: block(":root[data-theme='light'] {"),
}

describe.each(Object.entries(themes))('the %s theme', (_name, vars) => {
  it.each(TEXT)('%s on %s is at least 4.5:1', (fg, bg) => {
    expect(vars[fg], fg).toBeDefined()
    expect(vars[bg], bg).toBeDefined()
    expect(contrast(vars[fg]!, vars[bg]!)).toBeGreaterThanOrEqual(4.5)
  })

  it.each(GRAPHICS)('%s against %s is at least 3:1', (fg, bg) => {
    expect(contrast(vars[fg]!, vars[bg]!)).toBeGreaterThanOrEqual(3)
  })
})

it('the light theme is the same whether chosen or followed from the system', () => {
  expect(block(':root:not([data-theme]) {')).toEqual(themes.light)
})
