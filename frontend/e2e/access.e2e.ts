// Access and sharing in a real browser against the real backend: the admin invites a
// viewer from the Users page (and is told the last admin cannot be demoted); the viewer
// sees no buttons that change targets and cannot open Users, makes an API key that is
// shown once and works for reading but not writing, and changes their password without
// being logged out; the admin turns on two-factor
// login by scanning (here: decoding) the QR code and typing a code computed from the
// key shown beside it, gets ten recovery codes, and from then on login asks for a code;
// the audit log shows who invited the viewer. Screenshots go to test-results/screenshots/.
import { createHmac } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import decodeQR from 'qr/decode.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, type TargetServer, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-access-pass'
const VIEWER = 'vera'
const VIEWER_PASS = 'vera-first-password'
const NEW_VIEWER_PASS = 'vera-own-longer-password'
const WAIT = 20_000

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let context: BrowserContext
let page: Page
const problems: string[] = []
/** The TOTP time step whose code turned two-factor login on (a code works once). */
let enabledStep = 0
let totpSecret = ''

async function openMenuLink(name: string) {
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('link', { name, exact: true }).click()
}

// Some logins here stop at the two-factor step: the caller waits for what comes next.
const login = (username: string, password: string) => logIn(page, backend.base, username, password, { arrive: false })

async function logout() {
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.waitForURL(/\/login$/)
}

/** RFC 4648 base32, as authenticator apps read the key. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch)
    if (i < 0) throw new Error(`not base32: ${ch}`)
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 6238: HMAC-SHA1 of the 30 s time step, dynamically truncated to 6 digits. */
function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', base32(secret)).update(counter).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30)

/** Draws an SVG path of "M{x} {y}h{n}v1h-{n}z" runs into pixels, for the QR decoder. */
function rasterise(path: string, size: number, scale = 4) {
  const w = size * scale
  const data = new Uint8Array(w * w * 4).fill(255)
  for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, n] = [Number(m[1]), Number(m[2]), Number(m[3])]
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let px = x * scale; px < (x + n) * scale; px++) {
        const i = (py * w + px) * 4
        data[i] = data[i + 1] = data[i + 2] = 0
      }
    }
  }
  return { width: w, height: w, data }
}

beforeAll(async () => {
  stack = await startStack('access', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  // One target, so the viewer has a row whose buttons could show.
  const token = await backend.token()
  await backend.api(token, 'POST', '/targets', { url: `${targets.base}/ok`, name: 'shop-api', interval_seconds: 60 })
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  page = await context.newPage()
  watchProblems(page, problems)
})

afterAll(async () => {
  await stack?.stop()
})

describe('access and sharing', () => {
  it('lets the admin invite a viewer from the Users page', async () => {
    await login('admin', ADMIN_PASS)
    await page.waitForURL(backend.base + '/')
    await openMenuLink('Users')
    await page.waitForURL(/\/users$/)
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
    await page.getByRole('button', { name: 'Invite user' }).click()
    const dialog = page.getByRole('dialog', { name: 'Invite user' })
    await dialog.waitFor()
    await dialog.getByLabel('Username').fill(VIEWER)
    await dialog.getByLabel('First password').fill(VIEWER_PASS)
    expect(await dialog.getByLabel('Role').inputValue()).toBe('viewer')
    await dialog.getByRole('button', { name: 'Invite' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const role = page.getByRole('combobox', { name: `Role of ${VIEWER}` })
    await role.waitFor()
    expect(await role.inputValue()).toBe('viewer')
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: VIEWER })
    expect(await row.getByRole('cell').nth(2).textContent()).toContain('Off')
    await shot(page, 'users-desktop')
  })

  it('says so when the last admin would be demoted, and keeps the role', async () => {
    const mine = page.getByRole('combobox', { name: 'Role of admin' })
    await mine.selectOption('editor')
    const confirm = page.getByRole('alertdialog', { name: 'Make yourself editor?' })
    await confirm.getByRole('button', { name: 'Make me editor' }).click()
    await page.getByRole('alert').filter({ hasText: 'last admin' }).waitFor({ timeout: WAIT })
    expect(await mine.inputValue()).toBe('admin')
    await logout()
  })

  it('shows the viewer no button that changes a target, and keeps them out of Users', async () => {
    await login(VIEWER, VIEWER_PASS)
    await page.waitForURL(backend.base + '/')
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'shop-api', exact: true }) })
    await row.waitFor({ timeout: WAIT })
    expect(await page.getByRole('button', { name: 'Add target' }).count()).toBe(0)
    expect(await row.getByRole('button').count()).toBe(0)
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByRole('link', { name: 'API keys', exact: true }).waitFor()
    expect(await page.getByRole('link', { name: 'Users', exact: true }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Audit log', exact: true }).count()).toBe(0)
    await page.getByRole('button', { name: 'Menu' }).click()
    await shot(page, 'dashboard-viewer-desktop')
    await page.goto(backend.base + '/users')
    await page.waitForURL(backend.base + '/')
  })

  it('lets the viewer make an API key, shown once, that reads but cannot write', async () => {
    await openMenuLink('API keys')
    await page.waitForURL(/\/api-keys$/)
    await page.getByRole('button', { name: 'Create API key' }).click()
    const form = page.getByRole('dialog', { name: 'Create API key' })
    await form.getByLabel('Name').fill('deploy-script')
    // No more than the viewer's own role is offered.
    expect(await form.getByLabel('Role').locator('option').allTextContents()).toEqual(['Viewer'])
    await form.getByRole('button', { name: 'Create key' }).click()

    const once = page.getByRole('dialog', { name: 'API key deploy-script created' })
    await once.waitFor({ timeout: WAIT })
    const field = once.getByLabel('API key')
    const key = await field.inputValue()
    expect(key).toMatch(/^wd_/)
    expect(await field.getAttribute('readonly')).not.toBeNull()
    await once.getByText("You won't see this key again").waitFor()
    await once.getByRole('button', { name: 'Copy' }).waitFor()
    expect(await once.locator('pre').textContent()).toContain(`Bearer ${key}`)
    await shot(page, 'api-key-created-desktop')

    const read = await fetch(`${backend.base}/api/v1/targets`, { headers: { Authorization: `Bearer ${key}` } })
    expect(read.status).toBe(200)
    const write = await fetch(`${backend.base}/api/v1/targets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: `${targets.base}/ok`, name: 'from-a-key', interval_seconds: 60 }),
    })
    expect(write.status).toBe(403)

    await once.getByRole('button', { name: 'Done' }).click()
    await once.waitFor({ state: 'hidden' })
    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'deploy-script' })
    await row.waitFor()
    expect(await row.textContent()).toContain(key.slice(0, 8))
    expect(await page.content()).not.toContain(key)

    await page.setViewportSize({ width: 390, height: 844 })
    await shot(page, 'api-keys-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('changes the viewer’s password and keeps them logged in with the fresh tokens', async () => {
    await openMenuLink('Your account')
    await page.waitForURL(/\/account$/)
    const current = page.getByLabel('Current password')
    await current.fill('not-my-password')
    await page.getByLabel('New password', { exact: true }).fill(NEW_VIEWER_PASS)
    await page.getByLabel('Confirm new password').fill(NEW_VIEWER_PASS)
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect.poll(() => current.getAttribute('aria-invalid'), { timeout: WAIT }).toBe('true')

    await current.fill(VIEWER_PASS)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Password changed. You are still logged in here').waitFor({ timeout: WAIT })
    // Every token from before is dead; the page goes on with the pair the API answered with.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor({ timeout: WAIT })
    expect(page.url()).toMatch(/\/account$/)
    await logout()
    await login(VIEWER, NEW_VIEWER_PASS)
    await page.waitForURL(backend.base + '/')
    await logout()
  })

  it('turns on two-factor login for the admin, with ten recovery codes', async () => {
    await login('admin', ADMIN_PASS)
    await page.waitForURL(backend.base + '/')
    await openMenuLink('Your account')
    await page.waitForURL(/\/account$/)
    await page.getByRole('button', { name: 'Set up two-factor login' }).click()
    const secretEl = page.locator('[data-secret]')
    await secretEl.waitFor({ timeout: WAIT })
    totpSecret = ((await secretEl.textContent()) ?? '').replace(/\s+/g, '')
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/)

    // The QR code holds the otpauth:// URL with the same key.
    const qr = page.getByRole('img', { name: /QR code for two-factor login/ })
    const size = Number(((await qr.getAttribute('viewBox')) ?? '').split(' ')[2])
    const path = (await qr.locator('path').getAttribute('d')) ?? ''
    const url = new URL(decodeQR(rasterise(path, size)))
    expect(url.protocol).toBe('otpauth:')
    expect(url.searchParams.get('secret')).toBe(totpSecret)
    await shot(page, 'totp-setup-desktop')

    enabledStep = stepNow()
    await page.getByLabel('Code from the app').fill(totp(totpSecret, enabledStep))
    await page.getByRole('button', { name: 'Turn on' }).click()
    const codes = page.getByRole('dialog', { name: 'Save your recovery codes' })
    await codes.waitFor({ timeout: WAIT })
    const list = await codes.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()
    expect(list).toHaveLength(10)
    for (const c of list) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/)
    await codes.getByRole('button', { name: 'I saved them' }).click()
    await codes.waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: 'Turn off' }).waitFor()
    await logout()
  })

  it('asks for the code at login, refuses a wrong one, and lets the right one in', async () => {
    await login('admin', ADMIN_PASS)
    const code = page.getByLabel('Two-factor code')
    await code.waitFor({ timeout: WAIT })
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code')
    expect(await code.getAttribute('inputmode')).toBe('numeric')
    await page.getByRole('button', { name: /recovery code/ }).waitFor()
    expect(page.url()).toMatch(/\/login$/)

    const wrong = totp(totpSecret, stepNow() + 5) // a real code, but for 2.5 minutes from now
    await code.fill(wrong)
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => code.getAttribute('aria-invalid'), { timeout: WAIT }).toBe('true')
    expect(await page.locator('.field-error').textContent()).toMatch(/^Two-factor code /)
    await shot(page, 'login-otp-desktop')

    // The code that turned it on is spent: use the next step's (accepted within a step
    // of now), or the current one once the clock has moved past it.
    await code.fill(totp(totpSecret, Math.max(stepNow(), enabledStep + 1)))
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(backend.base + '/', { timeout: WAIT })
  })

  it('shows in the audit log that the admin created the viewer', async () => {
    await openMenuLink('Audit log')
    await page.waitForURL(/\/audit$/)
    const table = page.getByRole('table', { name: 'Audit log, newest first' })
    await table.waitFor({ timeout: WAIT })
    await page.getByLabel('Kind').selectOption('user')
    await page.waitForURL(/\/audit\?kind=user$/)
    // The viewer's API key was the newest change; once the filter holds, it is gone.
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'API key' }).count(), { timeout: WAIT }).toBe(0)
    const created = table.getByRole('row').filter({ hasText: 'Create' }).filter({ hasText: VIEWER })
    await created.waitFor({ timeout: WAIT })
    const cells = (await created.getByRole('cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())
    expect(cells[1]).toContain('admin')
    expect(cells[2]).toContain('Create')
    expect(cells[3]).toContain('User')
    expect(cells[4]).toContain(VIEWER)
    expect(cells[5]).toContain(`username: — → ${VIEWER}`)
    await shot(page, 'audit-desktop')
    await page.setViewportSize({ width: 390, height: 844 })
    await shot(page, 'audit-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('broke no Content-Security-Policy rule and threw no error', () => {
    expect(problems).toEqual([])
  })
})
