// Alerting in a real browser against the real backend: add a webhook channel from the
// Notification channels page (a field error from the API under its input first), send
// a test message that arrives signed, subscribe a failing target to it through the
// target form's Advanced section, and see exactly one "down" delivery, the ongoing
// incident on the target's page, and on the Incidents page. Screenshots go to
// test-results/screenshots/.
import { createHmac } from 'node:crypto'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type HookDelivery, type Stack, type TargetServer, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-alerting-pass'
const WAIT = 20_000

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let context: BrowserContext
let page: Page
const problems: string[] = []

interface Delivery {
  event?: string
  target?: { id: number; name: string; url: string } | null
  incident?: { id: number; kind: string; resolved_at: string | null } | null
}

const deliveries = (event: string): HookDelivery[] => targets.hooks.filter((h) => (h.body as Delivery | undefined)?.event === event)

function channelRow(name: string): Locator {
  return page.getByRole('table', { name: 'Notification channels' }).getByRole('row').filter({ hasText: name })
}

async function openMenuLink(name: string) {
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('link', { name, exact: true }).click()
}

beforeAll(async () => {
  stack = await startStack('alerting', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, problems)
})

afterAll(async () => {
  await stack?.stop()
})

describe('alerting', () => {
  it('logs in and opens Notification channels from the menu', async () => {
    await logIn(page, backend.base, 'admin', ADMIN_PASS)
    await openMenuLink('Notification channels')
    await page.waitForURL(/\/channels$/)
    await page.getByRole('heading', { level: 1, name: 'Notification channels' }).waitFor()
    await page.getByRole('heading', { name: 'No channels yet' }).waitFor()
  })

  it("shows the API's config.url error under the URL input", async () => {
    await page.getByRole('button', { name: 'Add channel' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add channel' })
    await dialog.waitFor()
    await dialog.getByLabel('Name').fill('ops-webhook')
    expect(await dialog.getByLabel('Type').inputValue()).toBe('webhook')
    // A cloud-metadata address is refused even with private targets allowed.
    const url = dialog.getByLabel('URL', { exact: true })
    await url.fill('http://169.254.169.254/latest')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => url.getAttribute('aria-invalid'), { timeout: WAIT }).toBe('true')
    const describedBy = ((await url.getAttribute('aria-describedby')) ?? '').split(' ')
    const error = dialog.locator('.field-error').first()
    expect(describedBy).toContain(await error.getAttribute('id'))
    expect(await error.textContent()).toMatch(/^URL /)
    await shot(page, 'channel-error-desktop')
  })

  it('adds a webhook channel with a secret', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add channel' })
    await dialog.getByLabel('URL', { exact: true }).fill(`${targets.base}/hook`)
    const secret = dialog.getByLabel('Secret')
    expect(await secret.getAttribute('type')).toBe('password')
    await secret.fill('s3cret')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await channelRow('ops-webhook').waitFor()
    expect(await channelRow('ops-webhook').getByRole('cell').nth(1).textContent()).toBe('Webhook')
    expect(await channelRow('ops-webhook').textContent()).toContain(`${targets.base}/hook`)
    expect(await page.content()).not.toContain('s3cret')
  })

  it('sends a signed test message, and says so', async () => {
    await channelRow('ops-webhook').getByRole('button', { name: 'Test' }).click()
    await page.getByText('Test message sent to ops-webhook').waitFor({ timeout: WAIT })
    const tests = deliveries('test')
    expect(tests).toHaveLength(1)
    const [hook] = tests
    const signature = hook!.headers['x-watchdog-signature']
    expect(signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(hook!.raw).digest('hex')}`)
    expect(hook!.headers['x-watchdog-delivery']).toBeTruthy()
    await shot(page, 'channels-desktop')
  })

  it('keeps a stored secret when editing leaves it blank', async () => {
    await channelRow('ops-webhook').getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit ops-webhook' })
    await dialog.waitFor()
    const secret = dialog.getByLabel('Secret')
    expect(await secret.inputValue()).toBe('')
    expect(await secret.getAttribute('placeholder')).toBe('(set — leave blank to keep)')
    expect(await dialog.getByLabel('Type').isDisabled()).toBe(true)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    // Still signed with the same secret.
    await channelRow('ops-webhook').getByRole('button', { name: 'Test' }).click()
    await expect.poll(() => deliveries('test').length, { timeout: WAIT }).toBe(2)
    const hook = deliveries('test')[1]!
    expect(hook.headers['x-watchdog-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(hook.raw).digest('hex')}`)
  })

  it('shows why a test message did not go through', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add channel' })
    await dialog.getByLabel('Name').fill('broken-hook')
    await dialog.getByLabel('URL', { exact: true }).fill(`${targets.base}/nowhere`)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await channelRow('broken-hook').getByRole('button', { name: 'Test' }).click()
    const toast = page.locator('.toast.error')
    await toast.waitFor({ timeout: WAIT })
    expect(await toast.textContent()).toMatch(/404/)
  })

  it('subscribes a failing target through the form, and tells the channel once', async () => {
    await page.getByRole('link', { name: 'WatchDog' }).click()
    await page.getByRole('button', { name: 'Add your first target' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add target' })
    await dialog.waitFor()
    await dialog.getByLabel('URL').fill(`${targets.base}/fail`)
    await dialog.getByLabel('Name').fill('pay-api')
    await dialog.getByLabel('Interval').fill('5')
    await dialog.getByText('Advanced').click()
    await dialog.getByLabel('Failure threshold').fill('1')
    await dialog.getByLabel('Retries').fill('0')
    const hook = dialog.getByRole('checkbox', { name: /^ops-webhook/ })
    const broken = dialog.getByRole('checkbox', { name: /^broken-hook/ })
    await hook.waitFor()
    // Neither is a default channel: nothing is ticked until the user ticks it.
    expect(await hook.isChecked()).toBe(false)
    await hook.check()
    expect(await broken.isChecked()).toBe(false)
    // A condition row: the operators follow the type.
    await dialog.getByRole('button', { name: 'Add condition' }).click()
    const ops = dialog.getByLabel('Condition 1 operator')
    expect(await ops.locator('option').allTextContents()).toEqual(['is below', 'is at most'])
    await dialog.getByLabel('Condition 1 value').fill('5000')
    await shot(page, 'target-form-advanced-desktop')
    await dialog.getByRole('button', { name: 'Remove condition 1' }).click()
    expect(await dialog.getByLabel('Condition 1 operator').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })

    await expect.poll(() => deliveries('down').length, { timeout: WAIT, interval: 250 }).toBe(1)
    const down = deliveries('down')[0]!.body as Delivery
    expect(down.target?.name).toBe('pay-api')
    expect(down.incident?.resolved_at).toBeNull()
    // It stays down: no second alert for the same incident.
    await page.waitForTimeout(6000)
    expect(deliveries('down')).toHaveLength(1)
  })

  it("shows the ongoing incident on the target's page", async () => {
    await page.getByRole('link', { name: 'pay-api', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'pay-api' }).waitFor()
    const table = page.getByRole('table', { name: 'Incidents, newest first' })
    await table.getByText('Ongoing', { exact: true }).waitFor({ timeout: WAIT })
    expect(await table.textContent()).toMatch(/so far/)
    await shot(page, 'detail-incident-desktop')
  })

  it('lists incidents with the target name, "Ongoing only" kept in the URL', async () => {
    await openMenuLink('Incidents')
    await page.waitForURL(/\/incidents$/)
    const table = page.getByRole('table', { name: 'Incidents, newest first' })
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'pay-api', exact: true }) })
    await row.waitFor({ timeout: WAIT })
    expect(await row.getByText('Ongoing', { exact: true }).count()).toBe(1)
    await page.getByLabel('Ongoing only').check()
    await page.waitForURL(/[?&]open=true/)
    await page.reload()
    await row.waitFor()
    expect(await page.getByLabel('Ongoing only').isChecked()).toBe(true)
    await shot(page, 'incidents-desktop')
  })

  it('fits a phone: channels and incidents as cards', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'light',
      storageState: await context.storageState(),
    })
    const phonePage = await phone.newPage()
    phonePage.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    for (const [path, ready, name] of [
      ['/channels', 'ops-webhook', 'channels-phone'],
      ['/incidents', 'pay-api', 'incidents-phone'],
    ] as const) {
      await phonePage.goto(backend.base + path)
      await phonePage.getByText(ready, { exact: true }).first().waitFor({ timeout: WAIT })
      await phonePage.waitForTimeout(300)
      const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await shot(phonePage, name)
    }
    await phone.close()
  })

  it('deletes a channel after confirming in words', async () => {
    await openMenuLink('Notification channels')
    await channelRow('broken-hook').getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Delete broken-hook?' })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await channelRow('broken-hook').waitFor({ state: 'detached' })
    expect(await channelRow('ops-webhook').count()).toBe(1)
  })

  it('ran without a Content-Security-Policy violation or page error', () => {
    expect(problems).toEqual([])
  })
})
