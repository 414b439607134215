// Keep-warm in a real browser against the real backend: choosing a platform preset in
// the target form fills and explains the interval, a weekly window in a time zone, the
// API's errors under the fields they name, the target page's Keep warm card, a platform
// whose pings do not keep it awake, and the free-hour budgets page.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, type TargetServer, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-keepwarm-pass'
const WAIT = 20_000

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let page: Page
let token: string
const cspViolations: string[] = []

beforeAll(async () => {
  stack = await startStack('keepwarm', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, cspViolations)
})

afterAll(async () => {
  await stack?.stop()
})

describe('keep-warm', () => {
  it('logs in', async () => {
    await logIn(page, backend.base, 'admin', ADMIN_PASS)
    token = await backend.token()
  })

  it('explains a budget group on an empty budgets page', async () => {
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByRole('link', { name: 'Free-hour budgets' }).click()
    await page.waitForURL(/\/budgets$/)
    await page.getByRole('heading', { name: 'Free-hour budgets' }).waitFor()
    await page.getByText('A budget group is a set of keep-warm targets').waitFor()
  })

  it('fills and explains the interval from the Render preset, and warns for Neon', async () => {
    await page.goto(backend.base + '/')
    await page.getByRole('button', { name: 'Add target', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.waitFor()
    await dialog.getByLabel('URL').fill(`${targets.base}/ok`)
    await dialog.getByLabel('Name').fill('render-api')

    const platform = dialog.getByLabel('Platform', { exact: true })
    await platform.selectOption({ label: 'Neon Postgres free' })
    await dialog.getByText('HTTP pings do not keep it awake').waitFor()

    await platform.selectOption({ label: 'Render free web service' })
    expect(await dialog.getByText('HTTP pings do not keep it awake').count()).toBe(0)
    await dialog.getByText('sleeps after 15 min idle', { exact: true }).waitFor()
    const plan = dialog.getByText(/^Checks every 14 min 25 s: Render free web service sleeps after 15 min idle/)
    await plan.waitFor()
    expect(await plan.textContent()).toContain('a 10 s timeout, a 15 s wait and a retry')
    expect(await dialog.getByLabel('Keep warm', { exact: true }).isChecked()).toBe(true)
    expect(await dialog.getByLabel('Idle limit (s)').inputValue()).toBe('900')
    expect(await dialog.getByLabel('Wake timeout (s)').inputValue()).toBe('90')
    // Interval is left to the server, which says what it will choose.
    const interval = dialog.getByLabel('Interval')
    expect(await interval.inputValue()).toBe('')
    expect(await interval.getAttribute('placeholder')).toBe('865')
    await dialog.getByRole('link', { name: 'render.com/docs/free' }).waitFor()
    await dialog.getByText('(as of 2026-11)', { exact: false }).waitFor()
    await dialog.getByText('Always', { exact: true }).waitFor()
  })

  it("puts the API's interval error under Interval", async () => {
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    const interval = dialog.getByLabel('Interval')
    await interval.fill('900')
    await dialog.getByText('Interval 15 min is not below the idle limit').waitFor()
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText(/^Interval must be below idle_timeout_seconds/).waitFor()
    expect(await interval.getAttribute('aria-invalid')).toBe('true')
    await interval.fill('')
  })

  it('adds a Mon–Fri 08:00–20:00 window in Europe/Berlin and saves', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.getByRole('button', { name: 'Add window' }).click()
    const monday = dialog.getByRole('button', { name: 'Window 1 Monday' })
    const saturday = dialog.getByRole('button', { name: 'Window 1 Saturday' })
    expect(await monday.getAttribute('aria-pressed')).toBe('true')
    expect(await saturday.getAttribute('aria-pressed')).toBe('false')
    await saturday.click()
    expect(await saturday.getAttribute('aria-pressed')).toBe('true')
    await saturday.click()
    expect(await saturday.getAttribute('aria-pressed')).toBe('false')
    await dialog.getByLabel('Window 1 start').fill('08:00')
    await dialog.getByLabel('Window 1 end').fill('20:00')
    await dialog.getByLabel('Time zone').fill('Europe/Berlin')
    await dialog.getByLabel('Budget group').fill('render-ws')
    // A second row, removed again by its name.
    await dialog.getByRole('button', { name: 'Add window' }).click()
    await dialog.getByRole('button', { name: 'Remove window 2' }).click()
    expect(await dialog.getByRole('button', { name: 'Remove window 2' }).count()).toBe(0)
    await shot(page, 'keepwarm-form')

    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const list = (await backend.api(token, 'GET', '/targets')) as {
      items: { name: string; interval_seconds: number; platform: string; warm_windows: unknown; timezone: string }[]
    }
    const saved = list.items.find((t) => t.name === 'render-api')!
    expect(saved).toMatchObject({
      interval_seconds: 865,
      platform: 'render-free',
      timezone: 'Europe/Berlin',
      warm_windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
    })
  })

  it('shows the Keep warm card on the target page', async () => {
    await page.getByRole('link', { name: 'render-api', exact: true }).click()
    await page.waitForURL(/\/targets\/\d+$/)
    const card = page.getByRole('region', { name: 'Keep warm' })
    await card.waitFor()
    await card.getByText('Mon–Fri 08:00–20:00 Europe/Berlin', { exact: true }).waitFor()
    await card.getByRole('link', { name: 'Render free web service' }).waitFor()
    expect(await card.getByText('15 min', { exact: true }).count()).toBe(1)
    expect(await card.getByText('Warning:').count()).toBe(0)
    // The 24 h keep-warm cards and the 7-day strip, by their accessible names.
    const cards = page.getByRole('region', { name: 'Keep-warm, last 24 h' })
    await cards.getByRole('heading', { name: 'Warm ratio' }).waitFor()
    const strip = page.getByRole('region', { name: 'Awake, last 7 days' })
    await strip.waitFor()
    await expect.poll(() => strip.getAttribute('aria-busy'), { timeout: WAIT }).toBe('false')
    const days = strip.getByRole('img', { name: /^\w{3} \d{1,2} \w{3}: awake \d+ h, asleep \d+ h, outside window \d+ h/ })
    expect(await days.count()).toBe(7)
    await strip.getByRole('list', { name: 'Legend' }).getByText('outside window').waitFor()
    await shot(page, 'keepwarm-detail')
  })

  it("shows a Neon target's warning", async () => {
    const neon = (await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok`,
      name: 'neon-db',
      platform: 'neon-free',
    })) as { id: number; warnings: string[] }
    expect(neon.warnings.join(' ')).toMatch(/HTTP pings do not keep it awake/)
    await page.goto(`${backend.base}/targets/${neon.id}`)
    const card = page.getByRole('region', { name: 'Keep warm' })
    await card.getByText(/Neon Postgres free: HTTP pings do not keep it awake/).waitFor()
    await card.getByText('always', { exact: true }).waitFor()
  })

  it('shows the budget group fitting, then over once a second service is always on', async () => {
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByRole('link', { name: 'Free-hour budgets' }).click()
    const group = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'render-ws' }) })
    await group.waitFor()
    await group.getByText('fits', { exact: true }).waitFor()
    await group.getByRole('link', { name: 'render-api' }).waitFor()
    expect(await group.getByRole('img').getAttribute('aria-label')).toMatch(/h used, .* h a month of 750 h$/)

    await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok`,
      name: 'render-worker',
      platform: 'render-free',
      budget_group: 'render-ws',
    })
    await page.reload()
    await group.getByText('over', { exact: true }).waitFor({ timeout: WAIT })
    await group.getByRole('link', { name: 'render-worker' }).waitFor()
    await shot(page, 'keepwarm-budgets')
  })

  it('kept to the Content-Security-Policy', () => {
    expect(cspViolations).toEqual([])
  })
})
