// A Gotify channel from the dashboard against the real backend and a fake Gotify server
// on 127.0.0.1: made through the form (its app token a password input), its Test button
// delivers POST /message with the token in X-Gotify-Key and the test message in the
// JSON body, and the edit form never shows the token back, keeping it when left blank.
import http from 'node:http'
import type net from 'node:net'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Channel } from '../src/api/types'
import { type Backend, type Stack, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-gotify-pass'
const WAIT = 20_000
const NAME = 'phone-gotify'
// What a Gotify app token looks like: 15 characters of [A-Za-z0-9._-].
const TOKEN = 'AqX7.b-Tz_9kLm2'

/** One request the fake Gotify server received. */
interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  raw: string
}

let stack: Stack<undefined>
let backend: Backend
let browser: Browser
let page: Page
let token: string
let gotify: http.Server
let gotifyBase: string
const received: Received[] = []
const problems: string[] = []

beforeAll(async () => {
  // Gotify answers a created message with the message as stored.
  gotify = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: received.length, appid: 1 }))
    })
  })
  await new Promise<void>((resolve) => gotify.listen(0, '127.0.0.1', resolve))
  gotifyBase = `http://127.0.0.1:${(gotify.address() as net.AddressInfo).port}`
  stack = await startStack('gotify', { adminPass: ADMIN_PASS, targets: false })
  backend = stack.backend
  browser = stack.browser
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, problems)
})

afterAll(async () => {
  await stack?.stop()
  if (gotify) {
    gotify.closeAllConnections()
    await new Promise<void>((resolve) => gotify.close(() => resolve()))
  }
})

function channelRow(name: string): Locator {
  return page.getByRole('table', { name: 'Notification channels' }).getByRole('row').filter({ hasText: name })
}

async function stored(): Promise<Channel> {
  const list = (await backend.api(token, 'GET', '/channels')) as { items: Channel[] }
  const ch = list.items.find((c) => c.name === NAME)
  if (!ch) throw new Error(`no channel ${NAME}`)
  return ch
}

/**
 * What every input, textarea and select under root holds now: page.content() serializes
 * attributes, not what was typed or filled in, so it cannot tell a token shown in one.
 */
async function inputValues(root: Page | Locator): Promise<string[]> {
  const controls = await root.locator('input, textarea, select').all()
  return Promise.all(controls.map((c) => c.inputValue()))
}

describe('gotify channel', () => {
  it('logs in and opens Notification channels', async () => {
    await logIn(page, backend.base, 'admin', ADMIN_PASS)
    token = await backend.token()
    await page.goto(backend.base + '/channels')
    await page.getByRole('heading', { level: 1, name: 'Notification channels' }).waitFor()
  })

  it('adds a Gotify channel through the form', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add channel' })
    await dialog.waitFor()
    await dialog.getByLabel('Name').fill(NAME)
    await dialog.getByLabel('Type').selectOption({ label: 'Gotify' })
    const server = dialog.getByLabel('Server URL')
    const app = dialog.getByLabel('App token')
    expect(await server.getAttribute('aria-required')).toBe('true')
    expect(await app.getAttribute('type')).toBe('password')
    await server.fill(gotifyBase)
    await app.fill(TOKEN)
    await dialog.getByLabel('Priority').selectOption('5')
    await shot(page, 'gotify-form')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })

    const row = channelRow(NAME)
    await row.waitFor()
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('Gotify')
    expect(await row.textContent()).toContain(gotifyBase)
    expect(await page.content()).not.toContain(TOKEN)
    for (const v of await inputValues(page)) expect(v).not.toContain(TOKEN)
    const ch = await stored()
    expect(ch.type).toBe('gotify')
    expect(ch.config).toMatchObject({ server_url: gotifyBase, token_set: true, priority: 5 })
    expect(JSON.stringify(ch)).not.toContain(TOKEN)
  })

  it('sends a test message the fake Gotify receives as POST /message with the app token', async () => {
    await channelRow(NAME).getByRole('button', { name: 'Test' }).click()
    await page.getByText(`Test message sent to ${NAME}`).waitFor({ timeout: WAIT })
    expect(received).toHaveLength(1)
    const [req] = received
    expect(req!.method).toBe('POST')
    expect(req!.path.split('?')[0]).toBe('/message')
    expect(req!.headers['x-gotify-key']).toBe(TOKEN)
    expect(req!.headers['content-type']).toMatch(/^application\/json/)
    const body = JSON.parse(req!.raw) as { title?: string; message?: string; priority?: number; extras?: Record<string, unknown> }
    expect(body.title).toMatch(/test message from WatchDog/)
    expect(body.message).toBeTruthy()
    expect(body.priority).toBe(5)
    // Gotify's clients render the message as markdown only when told so.
    expect(body.extras?.['client::display']).toEqual({ contentType: 'text/markdown' })
    await shot(page, 'gotify-channels')
  })

  it('never shows the token in the edit form, and keeps it when left blank', async () => {
    await channelRow(NAME).getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: `Edit ${NAME}` })
    await dialog.waitFor()
    const app = dialog.getByLabel('App token')
    expect(await app.inputValue()).toBe('')
    expect(await app.getAttribute('placeholder')).toBe('(set — leave blank to keep)')
    // Stored, so no longer required.
    expect(await app.getAttribute('aria-required')).toBeNull()
    expect(await dialog.getByLabel('Server URL').inputValue()).toBe(gotifyBase)
    expect(await dialog.getByLabel('Priority').inputValue()).toBe('5')
    expect(await page.content()).not.toContain(TOKEN)
    const shown = await inputValues(dialog)
    // Name, type, server URL, the blank token, priority and the default checkbox: none the token.
    expect(shown).toEqual([NAME, 'gotify', gotifyBase, '', '5', 'on'])
    // A change elsewhere in the config goes without the token; the server keeps it.
    await dialog.getByLabel('Priority').selectOption('9')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await expect.poll(async () => (await stored()).config, { timeout: WAIT }).toMatchObject({ priority: 9, token_set: true })

    await channelRow(NAME).getByRole('button', { name: 'Test' }).click()
    await expect.poll(() => received.length, { timeout: WAIT }).toBe(2)
    expect(received[1]!.headers['x-gotify-key']).toBe(TOKEN)
    expect((JSON.parse(received[1]!.raw) as { priority?: number }).priority).toBe(9)
    expect(problems).toEqual([])
  })

  it('asks for the token again once the server URL points at another server', async () => {
    await channelRow(NAME).getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: `Edit ${NAME}` })
    await dialog.waitFor()
    const app = dialog.getByLabel('App token')
    await dialog.getByLabel('Server URL').fill('https://gotify.example.net')
    expect(await app.getAttribute('aria-required')).toBe('true')
    expect(await app.getAttribute('placeholder')).toBeNull()
    await dialog.getByRole('button', { name: 'Save' }).click()
    const error = dialog.getByText('App token must be typed again: the stored one is never sent to a new server')
    await error.waitFor()
    // The error is the one the token input points at.
    const describedBy = (await app.getAttribute('aria-describedby')) ?? ''
    expect(describedBy.split(' ')).toContain(await error.getAttribute('id'))
    expect(await app.getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'gotify-moved')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
    // Nothing was saved: the channel still sends to the fake Gotify with its token.
    expect((await stored()).config).toMatchObject({ server_url: gotifyBase, token_set: true })
    expect(problems).toEqual([])
  })
})
