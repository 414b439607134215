// The dashboard in a real browser against the real backend: log in, first-run empty
// state, add / validate / pause / resume / check / delete, the detail page, search and
// filters in the URL, keyboard shortcuts, an expired session, and the API going away
// and coming back. Selectors are accessible roles and names, which is also what
// proves every control has one. Screenshots go to test-results/screenshots/.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, type TargetServer, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-secret-pass'
const WAIT = 20_000

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let context: BrowserContext
let page: Page
let token: string
const requested: string[] = []
const cspViolations: string[] = []
const statuses304: string[] = []

function rowOf(name: string, p: Page = page): Locator {
  return p.getByRole('row').filter({ has: p.getByRole('link', { name, exact: true }) })
}

async function badgeOf(name: string): Promise<string> {
  return ((await rowOf(name).getByRole('cell').first().textContent()) ?? '').trim()
}

/** The target names in the list, top to bottom. */
function listedNames(p: Page = page): Promise<string[]> {
  return p.getByRole('table', { name: 'Targets' }).getByRole('link').allTextContents()
}

function watch(p: Page) {
  watchProblems(p, cspViolations)
}

beforeAll(async () => {
  stack = await startStack('dashboard', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  page = await context.newPage()
  watch(page)
  page.on('request', (r) => requested.push(r.url()))
  page.on('response', (r) => {
    if (r.status() === 304) statuses304.push(r.url())
  })
})

afterAll(async () => {
  await stack?.stop()
})

describe('dashboard', () => {
  it('sends a visitor to the login screen, and logs in', async () => {
    await page.goto(backend.base + '/')
    await page.waitForURL(/\/login$/)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill('wrong-password')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor()

    await page.getByLabel('Password').fill(ADMIN_PASS)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(backend.base + '/')
    await page.getByRole('button', { name: 'Add target', exact: true }).waitFor()
    token = await backend.token()
  })

  it('shows the first-run empty state with a curl command', async () => {
    await page.getByRole('heading', { name: 'Nothing is watched yet' }).waitFor()
    await page.getByRole('button', { name: 'Add your first target' }).waitFor()
    const code = await page.locator('pre code').textContent()
    expect(code).toContain(`curl -X POST ${backend.base}/api/v1/targets`)
    expect(await page.getByText('No targets yet').isVisible()).toBe(true)
    // The detail page and uPlot are a separate chunk, not loaded by the first screen.
    expect(requested.some((u) => /TargetDetailView/.test(u))).toBe(false)
    await shot(page, 'empty-desktop')
  })

  it("shows the API's field error under URL", async () => {
    await page.getByRole('button', { name: 'Add your first target' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.waitFor()
    const url = dialog.getByLabel('URL')
    await url.fill('ftp://x')
    await dialog.getByRole('button', { name: 'Save' }).click()
    const error = dialog.getByText('URL must be an absolute http or https URL')
    await error.waitFor()
    expect(await url.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await url.getAttribute('aria-describedby')) ?? ''
    expect(describedBy.split(' ')).toContain(await error.getAttribute('id'))
    await shot(page, 'add-target-error-desktop')
  })

  it('adds a target that turns Up without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.getByLabel('URL').fill(`${targets.base}/ok`)
    await dialog.getByLabel('Name').fill('shop-api')
    await dialog.getByLabel('Interval').fill('5')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })

    await rowOf('shop-api').waitFor()
    await expect.poll(() => badgeOf('shop-api'), { timeout: WAIT, interval: 250 }).toBe('Up')
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    expect(await rowOf('shop-api').getByText('every 5 s').isVisible()).toBe(true)
  })

  it('pauses and resumes', async () => {
    // With the keyboard: focus stays on the row's toggle, which now says Resume.
    const pause = rowOf('shop-api').getByRole('button', { name: 'Pause' })
    await pause.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => badgeOf('shop-api'), { timeout: WAIT }).toBe('Paused')
    const resume = rowOf('shop-api').getByRole('button', { name: 'Resume' })
    await resume.waitFor()
    expect(await resume.evaluate((el) => el === document.activeElement)).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Resume')
    await rowOf('shop-api').getByRole('button', { name: 'Resume' }).click()
    await expect.poll(() => badgeOf('shop-api'), { timeout: WAIT }).toMatch(/^(Up|Unknown)$/)
    await rowOf('shop-api').getByRole('button', { name: 'Pause' }).waitFor()
  })

  it('checks now and shows the result inline', async () => {
    await rowOf('shop-api').getByRole('button', { name: 'Check now' }).click()
    const result = rowOf('shop-api').getByRole('status')
    await expect.poll(() => result.textContent(), { timeout: WAIT }).toMatch(/^Up · 200 · \d+ ms/)
  })

  it('shows several targets, one down, on desktop and phone', async () => {
    await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/fail`,
      name: 'billing-api',
      interval_seconds: 5,
      retries: 0,
      // Down after its first failed check (the default waits for 3 in a row).
      failure_threshold: 1,
      tags: ['prod'],
    })
    await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/slow?a-rather-long-query-string=to-see-how-the-middle-of-a-url-is-shortened`,
      name: 'docs-site',
      interval_seconds: 5,
      tags: ['docs'],
    })
    await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok`,
      name: 'legacy-cron',
      interval_seconds: 600,
      is_active: false,
    })
    await expect.poll(() => badgeOf('billing-api'), { timeout: WAIT }).toBe('Down')
    await expect.poll(() => badgeOf('docs-site'), { timeout: WAIT }).toBe('Up')
    await page.getByText('1 down', { exact: true }).waitFor()
    await expect
      .poll(() => page.getByRole('button', { name: /^Down\b/ }).textContent())
      .toMatch(/1.*Needs attention/)
    await shot(page, 'dashboard-desktop-dark')

    const state = await context.storageState()
    const light = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', storageState: state })
    const lightPage = await light.newPage()
    watch(lightPage)
    await lightPage.goto(backend.base + '/')
    await rowOf('billing-api', lightPage).waitFor()
    await lightPage.waitForTimeout(500)
    await shot(lightPage, 'dashboard-desktop-light')
    await light.close()

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
      storageState: state,
    })
    const phonePage = await phone.newPage()
    watch(phonePage)
    await phonePage.goto(backend.base + '/')
    await rowOf('billing-api', phonePage).waitFor()
    await phonePage.waitForTimeout(500)
    // Nothing may be wider than the phone's screen.
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot(phonePage, 'dashboard-phone')

    // The headers are hidden on a phone; a "Sort" select stands in for them.
    expect(await phonePage.getByRole('button', { name: /^Sort by/ }).count()).toBe(0)
    await phonePage.getByLabel('Sort', { exact: true }).selectOption('-status')
    await phonePage.waitForURL(/[?&]sort=-status(&|$)/)
    await expect.poll(async () => (await listedNames(phonePage))[0], { timeout: WAIT }).toBe('legacy-cron')
    expect((await listedNames(phonePage)).at(-1)).toBe('billing-api')
    await phone.close()
  })

  it('polls without flicker, keeping half-typed input, with If-None-Match', async () => {
    const strip = rowOf('legacy-cron').getByRole('img')
    await strip.evaluate((el) => {
      const w = window as unknown as { mutations: number }
      w.mutations = 0
      new MutationObserver((m) => (w.mutations += m.length)).observe(el, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      })
    })
    const search = page.getByRole('searchbox', { name: 'Search targets' })
    await page.keyboard.press('n')
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.waitFor()
    await dialog.getByLabel('URL').fill('https://half-typed.example')
    const seen304 = statuses304.length
    await page.waitForTimeout(6000)
    expect(await dialog.getByLabel('URL').inputValue()).toBe('https://half-typed.example')
    expect(await page.evaluate(() => (window as unknown as { mutations: number }).mutations)).toBe(0)
    expect(statuses304.length).toBeGreaterThan(seen304)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await page.keyboard.press('/')
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.keyboard.press('Escape')
  })

  it('searches and filters, keeping them in the URL', async () => {
    await page.getByRole('searchbox', { name: 'Search targets' }).fill('billing')
    await page.waitForURL(/[?&]q=billing/)
    await rowOf('shop-api').waitFor({ state: 'detached' })
    expect(await rowOf('billing-api').isVisible()).toBe(true)
    await page.reload()
    await rowOf('billing-api').waitFor()
    expect(await page.getByRole('searchbox', { name: 'Search targets' }).inputValue()).toBe('billing')
    expect(await rowOf('shop-api').count()).toBe(0)

    await page.getByRole('button', { name: 'Clear filters' }).click()
    await rowOf('shop-api').waitFor()
    await page.getByLabel('Status').selectOption('paused')
    await page.waitForURL(/[?&]status=paused/)
    await rowOf('shop-api').waitFor({ state: 'detached' })
    expect(await rowOf('legacy-cron').isVisible()).toBe(true)
    await page.getByRole('button', { name: /^Paused\b/ }).click() // the card toggles the filter off
    await rowOf('shop-api').waitFor()
    expect(page.url()).not.toContain('status=')
  })

  it('sorts from the column headers, keeping the sort in the URL', async () => {
    const table = page.getByRole('table', { name: 'Targets' })
    const header = (name: string) => table.getByRole('columnheader', { name: `Sort by ${name}`, exact: true })
    const ends = async () => {
      const names = await listedNames()
      return [names[0], names.at(-1)]
    }
    // On a wide screen the headers sort; the phone's select is not shown.
    expect(await page.getByLabel('Sort', { exact: true }).isVisible()).toBe(false)
    expect(page.url()).not.toContain('sort=')
    expect(await listedNames()).toEqual(['billing-api', 'docs-site', 'legacy-cron', 'shop-api'])
    expect(await header('name').getAttribute('aria-sort')).toBe('ascending')
    expect(await table.getByRole('columnheader', { name: 'Uptime 24 h' }).getByRole('button').count()).toBe(0)

    // Status: down first, paused last.
    await page.getByRole('button', { name: 'Sort by status', exact: true }).click()
    await page.waitForURL(/[?&]sort=status(&|$)/)
    await expect.poll(ends, { timeout: WAIT }).toEqual(['billing-api', 'legacy-cron'])
    expect(await header('status').getAttribute('aria-sort')).toBe('ascending')
    expect(await header('name').getAttribute('aria-sort')).toBeNull()
    await page.reload()
    await rowOf('billing-api').waitFor()
    expect(await ends()).toEqual(['billing-api', 'legacy-cron'])
    expect(await header('status').getAttribute('aria-sort')).toBe('ascending')

    // The active column flips.
    await page.getByRole('button', { name: 'Sort by status', exact: true }).click()
    await page.waitForURL(/[?&]sort=-status(&|$)/)
    await expect.poll(ends, { timeout: WAIT }).toEqual(['legacy-cron', 'billing-api'])
    expect(await header('status').getAttribute('aria-sort')).toBe('descending')
    await page.waitForTimeout(300)
    await shot(page, 'dashboard-desktop-sorted')

    // Back to the default, which the URL leaves out.
    await page.getByRole('button', { name: 'Sort by name', exact: true }).click()
    await expect.poll(() => page.url()).not.toContain('sort=')
    await expect.poll(listedNames, { timeout: WAIT }).toEqual(['billing-api', 'docs-site', 'legacy-cron', 'shop-api'])
    expect(requested.some((u) => /\/api\/v1\/targets\?.*sort=-status/.test(u))).toBe(true)
  })

  it('opens the detail page: uptime, chart, checks', async () => {
    await page.getByRole('link', { name: 'billing-api', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'billing-api' }).waitFor()
    for (const name of ['Uptime 24 h', 'Uptime 7 d', 'Uptime 30 d', 'Median latency', 'p95 latency']) {
      await page.getByRole('heading', { name, exact: true }).waitFor()
    }
    await expect.poll(() => page.locator('.latency-chart canvas').count(), { timeout: WAIT }).toBeGreaterThan(0)
    const checks = page.getByRole('table', { name: /Recent checks/ })
    await checks.getByRole('cell', { name: 'Failed' }).first().waitFor({ timeout: WAIT })
    expect(await checks.getByRole('cell', { name: '500', exact: true }).count()).toBeGreaterThan(0)
    expect(requested.some((u) => /TargetDetailView/.test(u))).toBe(true)
    await page.getByRole('button', { name: '1 h' }).click()
    await page.waitForTimeout(300)
    await shot(page, 'detail-desktop')

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      colorScheme: 'dark',
      storageState: await context.storageState(),
    })
    const phonePage = await phone.newPage()
    watch(phonePage)
    await phonePage.goto(page.url())
    await phonePage.getByRole('heading', { level: 1, name: 'billing-api' }).waitFor()
    await phonePage.locator('.latency-chart canvas').first().waitFor()
    await phonePage.waitForTimeout(500)
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot(phonePage, 'detail-phone')
    await phone.close()

    await page.getByRole('button', { name: 'Check now' }).click()
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: /^Down · 500/ }).count(), { timeout: WAIT })
      .toBe(1)
    await page.getByRole('link', { name: 'All targets' }).click()
    await rowOf('shop-api').waitFor()
  })

  it('deletes a target after confirming in words', async () => {
    await rowOf('docs-site').getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Delete docs-site?' })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'hidden' })
    expect(await rowOf('docs-site').count()).toBe(1)

    await rowOf('docs-site').getByRole('button', { name: 'Delete' }).click()
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await rowOf('docs-site').waitFor({ state: 'detached' })
  })

  it('edits a target', async () => {
    await rowOf('shop-api').getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit shop-api' })
    await dialog.waitFor()
    expect(await dialog.getByLabel('Interval').inputValue()).toBe('5')
    await dialog.getByLabel('Name').fill('shop-api-v2')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await rowOf('shop-api-v2').waitFor()
  })

  it('sends an expired session back to the login screen with a message', async () => {
    await page.evaluate(() => {
      const raw = localStorage.getItem('watchdog.auth')
      const t = raw ? JSON.parse(raw) : {}
      localStorage.setItem('watchdog.auth', JSON.stringify({ ...t, accessToken: 'garbage', refreshToken: 'garbage' }))
    })
    await page.waitForURL(/\/login/, { timeout: WAIT })
    await page.getByText('Your session expired — please log in again').waitFor()
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASS)
    await page.getByRole('button', { name: 'Log in' }).click()
    await rowOf('shop-api-v2').waitFor()
  })

  it('logs out from the menu, ending the login on the server', async () => {
    const refreshToken = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('watchdog.auth') ?? '{}') as { refreshToken?: string }).refreshToken,
    )
    expect(refreshToken).toBeTruthy()
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByLabel('Theme').selectOption('light')
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(/\/login$/)
    expect(await page.getByText('Your session expired').count()).toBe(0)
    expect(await page.evaluate(() => localStorage.getItem('watchdog.auth'))).toBeNull()
    expect(requested.some((u) => u.endsWith('/api/v1/auth/logout'))).toBe(true)
    // The old refresh token is dead on the server, not merely forgotten here.
    const res = await fetch(`${backend.base}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    })
    expect(res.status).toBe(401)

    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASS)
    await page.getByRole('button', { name: 'Log in' }).click()
    await rowOf('shop-api-v2').waitFor()
  })

  it('says when the API is unreachable, and recovers by itself', async () => {
    const banner = page.getByText("Can't reach the WatchDog API — retrying")
    await backend.stop()
    await banner.waitFor({ timeout: WAIT })
    await shot(page, 'api-down-desktop')
    await backend.start()
    await banner.waitFor({ state: 'hidden', timeout: WAIT })
    await rowOf('shop-api-v2').waitFor()
  })

  it('ran without a Content-Security-Policy violation or page error', () => {
    expect(cspViolations).toEqual([])
  })
})
