// Impersonation from the dashboard against the real backend: an http target made
// through the form with Impersonate = Chrome says so in the list, on its page and in
// its edit form; the choice is http's alone, so switching the type to Port hides it,
// and saving as a port turns it off on the server too.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Target } from '../src/api/types'
import { type Backend, type Stack, type TargetServer, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-impersonate-pass'
const WAIT = 20_000
const NAME = 'walled-shop'

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let page: Page
let token: string
const problems: string[] = []

beforeAll(async () => {
  stack = await startStack('impersonate', { adminPass: ADMIN_PASS })
  backend = stack.backend
  targets = stack.targets
  browser = stack.browser
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, problems)
})

afterAll(async () => {
  await stack?.stop()
})

const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) })

async function targetNamed(name: string): Promise<Target> {
  const list = (await backend.api(token, 'GET', `/targets?q=${encodeURIComponent(name)}`)) as { items: Target[] }
  const t = list.items.find((x) => x.name === name)
  if (!t) throw new Error(`no target ${name}`)
  return t
}

describe('impersonate', () => {
  it('logs in', async () => {
    await logIn(page, backend.base, 'admin', ADMIN_PASS)
    token = await backend.token()
  })

  it('adds an http target impersonating Chrome through the Advanced section', async () => {
    await page.getByRole('button', { name: 'Add your first target' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.waitFor()
    await dialog.getByLabel('URL', { exact: true }).fill(`${targets.base}/ok`)
    await dialog.getByLabel('Name', { exact: true }).fill(NAME)
    await dialog.getByText('Advanced').click()
    const choice = dialog.getByLabel('Impersonate')
    // None by default, then the three browsers, with a sentence on when to use it.
    expect(await choice.inputValue()).toBe('')
    expect((await choice.locator('option').allTextContents()).map((o) => o.trim())).toEqual(['None', 'Chrome', 'Firefox', 'Safari'])
    const hintId = ((await choice.getAttribute('aria-describedby')) ?? '').split(' ').find((id) => id.endsWith('-hint'))
    expect(hintId).toBeTruthy()
    expect(await dialog.locator(`[id="${hintId}"]`).textContent()).toMatch(/bot wall.*403.*TLS and HTTP\/2 fingerprint/)
    await choice.selectOption({ label: 'Chrome' })
    await shot(page, 'impersonate-form')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    const t = await targetNamed(NAME)
    expect(t.type).toBe('http')
    expect(t.impersonate).toBe('chrome')
    // The list marks it by the type's badge, in words.
    const row = rowOf(NAME)
    await row.waitFor()
    expect(await row.getByTestId('impersonate-badge').textContent()).toBe('as Chrome')
    await shot(page, 'impersonate-list')
  })

  it('keeps the badge on a phone, without overflow', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'light',
      storageState: await page.context().storageState(),
    })
    const phonePage = await phone.newPage()
    watchProblems(phonePage, problems)
    await phonePage.goto(backend.base + '/')
    const badge = phonePage.getByTestId('impersonate-badge')
    await badge.waitFor({ timeout: WAIT })
    expect(await badge.isVisible()).toBe(true)
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot(phonePage, 'impersonate-list-phone')
    await phone.close()
  })

  it("says so on the target's page and in its edit form", async () => {
    await rowOf(NAME).getByRole('link', { name: NAME, exact: true }).click()
    await page.waitForURL(/\/targets\/\d+$/)
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor()
    expect((await page.getByTestId('impersonates').textContent())?.trim()).toBe('impersonates Chrome')
    await shot(page, 'impersonate-detail')

    await page.locator('.head').getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: `Edit ${NAME}` })
    await dialog.waitFor()
    await dialog.getByText('Advanced').click()
    expect(await dialog.getByLabel('Impersonate').inputValue()).toBe('chrome')
    // Saved untouched: the server keeps it.
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect((await targetNamed(NAME)).impersonate).toBe('chrome')
  })

  it('hides the choice for a port, and turns it off when the target becomes one', async () => {
    await page.locator('.head').getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: `Edit ${NAME}` })
    await dialog.waitFor()
    await dialog.getByText('Advanced').click()
    await dialog.getByLabel('Impersonate').waitFor()
    await dialog.getByRole('radio', { name: 'Port', exact: true }).check()
    expect(await dialog.getByLabel('Impersonate').count()).toBe(0)
    // Back to http: reset to None, as the server resets it with the type.
    await dialog.getByRole('radio', { name: 'Website or API', exact: true }).check()
    expect(await dialog.getByLabel('Impersonate').inputValue()).toBe('')
    await dialog.getByRole('radio', { name: 'Port', exact: true }).check()
    const { hostname, port } = new URL(targets.base)
    await dialog.getByLabel('Host', { exact: true }).fill(hostname)
    await dialog.getByRole('spinbutton', { name: 'Port', exact: true }).fill(port)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    await expect.poll(async () => (await targetNamed(NAME)).type, { timeout: WAIT }).toBe('tcp')
    expect((await targetNamed(NAME)).impersonate).toBe('')
    await page.getByText(`tcp check`).first().waitFor({ timeout: WAIT })
    expect(await page.getByTestId('impersonates').count()).toBe(0)
    expect(problems).toEqual([])
  })
})
