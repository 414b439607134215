// Every page on a small phone (360 and 390 px wide), against the real backend:
// nothing may scroll sideways. A page is measured once its heading is there and its
// requests have settled; the widths are logged, and screenshots of the 360 px pages
// go to test-results/screenshots/.
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, type TargetServer, shots, startStack } from './stack'

const ADMIN_PASS = 'e2e-phones-pass'
const WIDTHS = [360, 390] as const
const WAIT = 20_000

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let token: string
let targetId: number
const contexts = new Map<number, { context: BrowserContext; page: Page }>()
const problems: string[] = []

/** How wide the page is: no wider than the screen when nothing scrolls sideways. */
async function widthOf(p: Page): Promise<number> {
  return p.evaluate(() => document.documentElement.scrollWidth)
}

async function settle(p: Page) {
  await p.waitForLoadState('networkidle').catch(() => undefined)
  await p.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: WAIT }).catch(() => undefined)
  await p.waitForTimeout(300)
}

/** Opens `path` on a phone `width` px wide and says how wide the page is. */
async function measure(width: number, path: string, ready: (p: Page) => Promise<unknown>, name: string): Promise<number> {
  const { page } = contexts.get(width)!
  await page.goto(backend.base + path)
  await ready(page)
  await settle(page)
  const w = await widthOf(page)
  console.log(`phone ${width} px: ${name} (${path}) is ${w} px wide`)
  if (width === 360) await page.screenshot({ path: join(shots, `phone-360-${name}.png`), fullPage: true })
  return w
}

const heading = (name: string | RegExp) => (p: Page) =>
  p.getByRole('heading', { level: 1, name }).waitFor({ timeout: WAIT })

beforeAll(async () => {
  stack = await startStack('phones', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  for (const width of WIDTHS) {
    const context = await browser.newContext({
      viewport: { width, height: 740 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    })
    const page = await context.newPage()
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    contexts.set(width, { context, page })
  }
})

afterAll(async () => {
  await stack?.stop()
})

describe('phones', () => {
  it('show the login page without sideways scrolling, and log in', async () => {
    for (const width of WIDTHS) {
      expect(await measure(width, '/login', (p) => p.getByRole('button', { name: 'Log in' }).waitFor(), 'login')).toBeLessThanOrEqual(width)
      const { page } = contexts.get(width)!
      await page.getByLabel('Username').fill('admin')
      await page.getByLabel('Password').fill(ADMIN_PASS)
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.waitForURL(backend.base + '/')
    }
  })

  it('show the first-run empty state, with its curl command, within the screen', async () => {
    for (const width of WIDTHS) {
      const ready = (p: Page) => p.getByRole('heading', { name: 'Nothing is watched yet' }).waitFor({ timeout: WAIT })
      expect(await measure(width, '/', ready, 'dashboard-empty')).toBeLessThanOrEqual(width)
    }
  })

  it('get a target, a channel, a status page and an API key to show', async () => {
    token = await backend.token()
    const long = (await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok?${'very-long-query-parameter=value&'.repeat(6)}end`,
      name: 'a-target-with-a-rather-long-name-that-does-not-break-anywhere',
      interval_seconds: 5,
      tags: ['production', 'payments'],
    })) as { id: number }
    targetId = long.id
    await backend.api(token, 'POST', '/targets', { url: `${targets.base}/fail`, name: 'billing-api', interval_seconds: 5 })
    await backend.api(token, 'POST', '/channels', {
      name: 'ops-webhook',
      type: 'webhook',
      config: { url: `${targets.base}/hook/${'a-long-path-segment/'.repeat(5)}` },
    })
    await backend.api(token, 'POST', '/status-pages', { slug: 'acme', title: 'Acme status', target_ids: [targetId] })
    await backend.api(token, 'POST', '/api-keys', { name: 'deploy-script', role: 'viewer' })
    expect(targetId).toBeGreaterThan(0)
  })

  const views: [name: string, path: () => string, ready: (p: Page) => Promise<unknown>][] = [
    ['dashboard', () => '/', (p) => p.getByRole('link', { name: 'billing-api' }).first().waitFor({ timeout: WAIT })],
    ['target', () => `/targets/${targetId}`, heading(/a-target-with-a-rather-long-name/)],
    ['channels', () => '/channels', heading('Notification channels')],
    ['incidents', () => '/incidents', heading('Incidents')],
    ['budgets', () => '/budgets', heading('Free-hour budgets')],
    ['status-pages', () => '/status-pages', heading('Status pages')],
    ['public-status', () => '/status/acme', (p) => p.getByText('Acme status').first().waitFor({ timeout: WAIT })],
    ['api-keys', () => '/api-keys', heading('API keys')],
    ['account', () => '/account', heading('Your account')],
    ['users', () => '/users', heading('Users')],
    ['audit', () => '/audit', heading('Audit log')],
  ]

  it.each(views)('show %s without sideways scrolling', async (name, path, ready) => {
    for (const width of WIDTHS) expect(await measure(width, path(), ready, name)).toBeLessThanOrEqual(width)
  })

  it('show the Add target form without sideways scrolling', async () => {
    for (const width of WIDTHS) {
      const { page } = contexts.get(width)!
      await page.goto(backend.base + '/')
      await page.getByRole('link', { name: 'billing-api' }).first().waitFor({ timeout: WAIT })
      await page.getByRole('button', { name: 'Add target' }).first().click()
      await page.getByRole('dialog', { name: 'Add target' }).waitFor()
      await page.waitForTimeout(300)
      const w = await widthOf(page)
      console.log(`phone ${width} px: add-target form is ${w} px wide`)
      if (width === 360) await page.screenshot({ path: join(shots, 'phone-360-add-target.png'), fullPage: true })
      expect(w).toBeLessThanOrEqual(width)
    }
  })

  it('raised no page errors', () => {
    expect(problems).toEqual([])
  })
})
