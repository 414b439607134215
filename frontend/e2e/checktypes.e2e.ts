// Every kind of check from the dashboard, against the real backend: a TCP port on a
// listener this test opens on 127.0.0.1, a DNS record (its URL built from the form's
// parts), and a heartbeat with a short period whose curl line the test reads off the
// target page, pings, and then stops pinging to see it go down after period + grace;
// then regenerates its ping URL.
import net from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Target } from '../src/api/types'
import { type Backend, type Stack, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-checktypes-pass'
const WAIT = 20_000
// The stack's MIN_INTERVAL_SECONDS is 5: a heartbeat's shortest period and grace follow it
// (the form warns of a grace under a minute but does not block it).
const PERIOD = 5
const GRACE = 5

let stack: Stack<undefined>
let backend: Backend
let browser: Browser
let page: Page
let token: string
let listener: net.Server
let port: number
const problems: string[] = []

beforeAll(async () => {
  listener = net.createServer((socket) => socket.end())
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  port = (listener.address() as net.AddressInfo).port
  stack = await startStack('checktypes', { adminPass: ADMIN_PASS, targets: false })
  backend = stack.backend
  browser = stack.browser
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, problems)
})

afterAll(async () => {
  await stack?.stop()
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()))
})

const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) })

async function targetNamed(name: string): Promise<Target> {
  const list = (await backend.api(token, 'GET', `/targets?q=${encodeURIComponent(name)}`)) as { items: Target[] }
  const t = list.items.find((x) => x.name === name)
  if (!t) throw new Error(`no target ${name}`)
  return t
}

async function openAdd() {
  await page.getByRole('button', { name: 'Add target', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add target' })
  await dialog.waitFor()
  return dialog
}

describe('every kind of check', () => {
  it('logs in', async () => {
    await logIn(page, backend.base, 'admin', ADMIN_PASS)
    token = await backend.token()
  })

  it('adds a TCP port, which a listener on 127.0.0.1 keeps up', async () => {
    const dialog = await openAdd()
    await dialog.getByRole('radio', { name: 'Port', exact: true }).check()
    expect(await dialog.getByLabel('URL', { exact: true }).count()).toBe(0)
    expect(await dialog.getByLabel('Method').count()).toBe(0)
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await dialog.getByRole('spinbutton', { name: 'Port', exact: true }).fill(String(port))
    await dialog.getByText(`tcp://127.0.0.1:${port}`, { exact: true }).waitFor()
    await dialog.getByLabel('Name', { exact: true }).fill('db-port')
    await dialog.getByLabel('Interval').fill('5')
    await shot(page, 'checktypes-form-tcp')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    const row = rowOf('db-port')
    await row.waitFor()
    expect(await row.textContent()).toContain(`127.0.0.1:${port}`)
    await row.getByText('TCP', { exact: true }).waitFor()
    const t = await targetNamed('db-port')
    expect(t.type).toBe('tcp')
    expect(t.url).toBe(`tcp://127.0.0.1:${port}`)
    // The first check connects to the listener.
    await row.getByText('Up', { exact: true }).waitFor({ timeout: WAIT })
  })

  it('shows the field error of a bad address under its input', async () => {
    const dialog = await openAdd()
    await dialog.getByRole('radio', { name: 'Port', exact: true }).check()
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await dialog.getByRole('spinbutton', { name: 'Port', exact: true }).fill('70000')
    await dialog.getByRole('button', { name: 'Save' }).click()
    const portInput = dialog.getByRole('spinbutton', { name: 'Port', exact: true })
    await expect.poll(() => portInput.getAttribute('aria-invalid'), { timeout: WAIT }).toBe('true')
    await dialog.getByText(/^Port port must be between 1 and 65535/).waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
  })

  it('adds a DNS record, its URL built from name, type and resolver', async () => {
    const dialog = await openAdd()
    await dialog.getByLabel('DNS record', { exact: true }).check()
    await dialog.getByLabel('Name to look up').fill('example.com')
    await dialog.getByLabel('Record type').selectOption('MX')
    await dialog.getByLabel('Resolver', { exact: true }).fill('127.0.0.1')
    await dialog.getByLabel('Resolver port').fill('5353')
    await dialog.getByText('dns://127.0.0.1:5353/example.com?type=MX', { exact: true }).waitFor()
    // Only the dns condition kinds are offered.
    await dialog.getByText('Advanced').click()
    await dialog.getByRole('button', { name: 'Add condition' }).click()
    const kinds = (await dialog.getByLabel('Condition 1 type').locator('option').allTextContents()).map((k) => k.trim())
    expect(kinds).toEqual(['Answer', 'Response code', 'Latency'])
    await dialog.getByRole('button', { name: 'Remove condition 1' }).click()
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    // Left unnamed, it is named after the name it looks up.
    const row = rowOf('example.com')
    await row.waitFor()
    expect(await row.textContent()).toContain('MX example.com @127.0.0.1:5353')
    await shot(page, 'checktypes-list')
    const t = await targetNamed('example.com')
    expect(t.type).toBe('dns')
    expect(t.url).toBe('dns://127.0.0.1:5353/example.com?type=MX')
  })

  it('changes the type of a target: the DNS record becomes a TCP port', async () => {
    await rowOf('example.com').getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit example.com' })
    await dialog.waitFor()
    // The saved URL is read back into its parts.
    expect(await dialog.getByLabel('DNS record', { exact: true }).isChecked()).toBe(true)
    expect(await dialog.getByLabel('Name to look up').inputValue()).toBe('example.com')
    expect(await dialog.getByLabel('Record type').inputValue()).toBe('MX')
    expect(await dialog.getByLabel('Resolver port').inputValue()).toBe('5353')
    await dialog.getByRole('radio', { name: 'Port', exact: true }).check()
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await dialog.getByRole('spinbutton', { name: 'Port', exact: true }).fill(String(port))
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(async () => (await targetNamed('example.com')).type, { timeout: WAIT }).toBe('tcp')
    expect((await targetNamed('example.com')).url).toBe(`tcp://127.0.0.1:${port}`)
    await rowOf('example.com').getByText('TCP', { exact: true }).waitFor({ timeout: WAIT })
  })

  it('adds a heartbeat and shows its ping URL, curl and crontab lines, waiting for the first ping', async () => {
    const dialog = await openAdd()
    await dialog.getByLabel('Cron job', { exact: true }).check()
    expect(await dialog.getByLabel('Interval').count()).toBe(0)
    await dialog.getByLabel('Expect a ping every').fill(String(PERIOD))
    await dialog.getByLabel('Period unit').selectOption('seconds')
    await dialog.getByLabel('Grace', { exact: true }).fill(String(GRACE))
    await dialog.getByLabel('Grace unit').selectOption('seconds')
    await dialog.getByLabel('Name', { exact: true }).fill('nightly-backup')
    await shot(page, 'checktypes-form-heartbeat')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    const row = rowOf('nightly-backup')
    await row.waitFor()
    expect(await row.textContent()).toContain('pinged by your job')
    expect(await row.textContent()).toContain('no ping yet')
    await row.getByRole('link', { name: 'nightly-backup', exact: true }).click()
    await page.waitForURL(/\/targets\/\d+$/)
    await page.getByRole('heading', { name: 'Heartbeat' }).waitFor()
    await page.getByTestId('deadline').getByText('Waiting for the first ping').waitFor()

    const t = await targetNamed('nightly-backup')
    expect(t.type).toBe('heartbeat')
    expect(t.period_seconds).toBe(PERIOD)
    expect(t.grace_seconds).toBe(GRACE)
    expect(t.ping_url).toMatch(/\/api\/v1\/ping\/[A-Za-z0-9_-]{16,}$/)
    expect(await page.getByTestId('ping-url').textContent()).toBe(t.ping_url)
    expect(await page.getByTestId('curl-line').textContent()).toBe(`curl -fsS -m 10 --retry 5 -o /dev/null ${t.ping_url}`)
    expect(await page.getByTestId('crontab-line').textContent()).toBe(
      `0 2 * * * /path/to/job.sh && curl -fsS -m 10 --retry 5 -o /dev/null ${t.ping_url}`,
    )
    await page.getByRole('button', { name: 'Copy curl line' }).waitFor()
    await shot(page, 'checktypes-heartbeat-waiting')
  })

  it('goes up on pings read off the page, counts down, and goes down when they stop', async () => {
    const curl = (await page.getByTestId('curl-line').textContent()) ?? ''
    const url = curl.split(' ').at(-1)!
    expect(url.startsWith(backend.base)).toBe(true)

    const res = await fetch(url, { method: 'POST', body: 'backup done: 12 GB' })
    expect(res.status).toBeLessThan(300)
    const badge = page.locator('.head .badge')
    await expect.poll(() => badge.textContent(), { timeout: WAIT }).toContain('Up')
    await page.getByTestId('last-ping').getByText(/ago|just now/).waitFor({ timeout: WAIT })
    await page.getByTestId('deadline').getByText(/^\s*(due in|overdue by) /).waitFor({ timeout: WAIT })
    await page.getByText('backup done: 12 GB').first().waitFor({ timeout: WAIT })
    // The deadline counts down on the page itself: read twice, 2 s apart, it has moved.
    const deadline = page.getByTestId('deadline')
    const before = await deadline.textContent()
    await page.waitForTimeout(2_000)
    expect(await deadline.textContent()).not.toBe(before)

    // Silence: down once period + grace pass with no ping.
    await expect.poll(() => badge.textContent(), { timeout: WAIT }).toContain('Down')
    await page.getByText(/no ping since/).first().waitFor({ timeout: WAIT })
    await page.getByTestId('deadline').getByText(/^\s*(due in|overdue by) /).waitFor()
    // Once a deadline passes with no ping the page says so, in words and marked overdue.
    await deadline.locator('.overdue').getByText(/^\s*overdue by /).waitFor({ timeout: WAIT })
    await shot(page, 'checktypes-heartbeat-down')
  })

  it('regenerates the ping URL after a confirmation: the old one stops working', async () => {
    const old = (await page.getByTestId('ping-url').textContent()) ?? ''
    await page.getByRole('button', { name: 'Regenerate ping URL' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Regenerate the ping URL of nightly-backup?' })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Regenerate' }).click()
    await confirm.waitFor({ state: 'detached' })
    await expect.poll(() => page.getByTestId('ping-url').textContent(), { timeout: WAIT }).not.toBe(old)
    const fresh = (await page.getByTestId('ping-url').textContent()) ?? ''
    expect(fresh).toMatch(/\/api\/v1\/ping\/[A-Za-z0-9_-]{16,}$/)
    expect(await page.getByTestId('curl-line').textContent()).toContain(fresh)
    expect((await fetch(old)).status).toBe(404)
    expect((await fetch(fresh)).status).toBeLessThan(300)
    await expect.poll(() => page.locator('.head .badge').textContent(), { timeout: WAIT }).toContain('Up')
    expect(problems).toEqual([])
  })
})
