// Status pages in a real browser against the real backend: an admin makes a page
// through the editor, whose live preview shows a hostile target name as plain text
// before saving; then a stranger on a phone (a fresh context: no storage, no token)
// opens /status/{slug} — the name is text, no script ran, nothing scrolls sideways, no
// request carried a credential — and the public JSON and badges give nothing away.
// Screenshots go to test-results/screenshots/.
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, type TargetServer, logIn, shot, startStack, watchProblems } from './stack'

const ADMIN_PASS = 'e2e-statuspages-pass'
const WAIT = 20_000
const EVIL = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>'
const SLUG = 'acme-status'

let stack: Stack
let backend: Backend
let targets: TargetServer
let browser: Browser
let admin: Page
let token: string
let evilId: number
let hiddenId: number
const problems: string[] = []

interface Pwned {
  __pwned?: unknown
}

function watch(p: Page) {
  watchProblems(p, problems)
}

beforeAll(async () => {
  stack = await startStack('statuspages', { adminPass: ADMIN_PASS })
  targets = stack.targets
  backend = stack.backend
  browser = stack.browser
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
  admin = await context.newPage()
  watch(admin)
})

afterAll(async () => {
  await stack?.stop()
})

describe('status pages', () => {
  it('logs in as admin, with a hostile target name and a target on no page', async () => {
    await logIn(admin, backend.base, 'admin', ADMIN_PASS)
    token = await backend.token()
    const evil = (await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok`,
      name: EVIL,
      interval_seconds: 5,
    })) as { id: number }
    evilId = evil.id
    const hidden = (await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok?private`,
      name: 'internal-only',
      interval_seconds: 5,
    })) as { id: number }
    hiddenId = hidden.id
  })

  it('opens Status pages from the menu, empty at first', async () => {
    await admin.getByRole('button', { name: 'Menu' }).click()
    await admin.getByRole('link', { name: 'Status pages', exact: true }).click()
    await admin.waitForURL(/\/status-pages$/)
    await admin.getByRole('heading', { level: 1, name: 'Status pages' }).waitFor()
    await admin.getByRole('heading', { name: 'No status pages yet' }).waitFor()
  })

  it('makes a page whose live preview shows the name as text before saving', async () => {
    await admin.getByRole('button', { name: 'New status page' }).click()
    const dialog = admin.getByRole('dialog', { name: 'New status page' })
    await dialog.waitFor()
    const preview = dialog.getByTestId('status-page-preview')

    await dialog.getByLabel('Title', { exact: true }).fill('Acme status')
    // The slug follows the title while untouched; the preview follows as it is typed.
    expect(await dialog.getByLabel('Slug', { exact: true }).inputValue()).toBe(SLUG)
    await preview.getByRole('heading', { name: 'Acme status' }).waitFor()
    await dialog.getByLabel('Description', { exact: true }).fill('Our public services.\nUpdated every 30 seconds.')
    await preview.getByText('Our public services.', { exact: false }).waitFor()

    await dialog.getByLabel('Find targets', { exact: true }).fill('onerror')
    const check = dialog.getByRole('checkbox', { name: `Show ${EVIL}`, exact: true })
    await check.waitFor({ timeout: WAIT })
    // The search narrows the list (after a short pause in typing).
    await expect.poll(() => dialog.getByRole('checkbox', { name: 'Show internal-only' }).count(), { timeout: WAIT }).toBe(0)
    await check.check()

    // In the preview, before saving: the name as text, no element made from it.
    await preview.getByText(EVIL, { exact: true }).waitFor()
    expect(await preview.locator('script, img').count()).toBe(0)
    await dialog.getByRole('button', { name: `Remove ${EVIL}`, exact: true }).waitFor()
    expect(await admin.evaluate(() => (window as unknown as Pwned).__pwned)).toBeUndefined()
    await shot(admin, 'status-page-editor-desktop')

    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name: 'Acme status' }) })
    await card.waitFor()
    expect(await card.getByText('1 target', { exact: true }).isVisible()).toBe(true)
    const link = card.getByRole('link', { name: `/status/${SLUG}` })
    expect(await link.getAttribute('href')).toBe(`/status/${SLUG}`)
    expect(await link.getAttribute('target')).toBe('_blank')
    expect(await link.getAttribute('rel')).toContain('noopener')
  })

  it("shows the API's 409 under Slug when the slug is taken", async () => {
    await admin.getByRole('button', { name: 'New status page' }).click()
    const dialog = admin.getByRole('dialog', { name: 'New status page' })
    await dialog.getByLabel('Title', { exact: true }).fill('Acme status')
    await dialog.getByRole('button', { name: 'Save' }).click()
    const slug = dialog.getByLabel('Slug', { exact: true })
    await expect.poll(() => slug.getAttribute('aria-invalid'), { timeout: WAIT }).toBe('true')
    const errorId = ((await slug.getAttribute('aria-describedby')) ?? '').split(' ')[0]!
    expect(await admin.locator(`[id="${errorId}"]`).textContent()).toBe('Slug is taken by another status page')
    await admin.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
  })

  it('offers Markdown for the badges, with Copy buttons', async () => {
    const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name: 'Acme status' }) })
    await card.getByText('Embed badges').click()
    const code = card.locator('code').first()
    await expect.poll(() => code.textContent(), { timeout: WAIT }).toContain(`/api/v1/public/badges/${evilId}/status.svg`)
    expect(await code.textContent()).toContain(`(${backend.base}/status/${SLUG})`)
    expect(await card.getByRole('button', { name: `Copy status badge Markdown for ${EVIL}` }).isVisible()).toBe(true)
    expect(await card.getByRole('button', { name: /^Copy uptime 30 d badge Markdown/ }).count()).toBe(1)
    expect(await card.locator('script').count()).toBe(0)
  })

  describe('a stranger on a phone', () => {
    let context: BrowserContext
    let phone: Page
    const requests: Request[] = []

    beforeAll(async () => {
      context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        colorScheme: 'light',
      })
      phone = await context.newPage()
      watch(phone)
      phone.on('request', (r) => requests.push(r))
    })

    afterAll(async () => {
      await context?.close()
    })

    it('sees the page, the name as text, nothing run, nothing wider than the screen', async () => {
      await phone.goto(`${backend.base}/status/${SLUG}`)
      await phone.getByRole('heading', { level: 1, name: 'Acme status' }).waitFor({ timeout: WAIT })
      await phone.getByText(EVIL, { exact: true }).first().waitFor()
      expect(phone.url()).toBe(`${backend.base}/status/${SLUG}`) // never sent to /login
      expect(await phone.title()).toBe('Acme status')
      expect(await phone.evaluate(() => (window as unknown as Pwned).__pwned)).toBeUndefined()
      expect(await phone.locator('main script, main img').count()).toBe(0)
      await phone.getByText(/^Updated /).waitFor()
      await phone.getByText('Powered by WatchDog').waitFor()
      // The target turns Up within a few checks; the page says so in words.
      await expect
        .poll(
          async () => {
            await phone.reload()
            return phone.getByText('All systems operational').count()
          },
          { timeout: 45_000, interval: 3_000 },
        )
        .toBeGreaterThan(0)
      const width = await phone.evaluate(() => document.scrollingElement!.scrollWidth)
      expect(width).toBeLessThanOrEqual(390)
      await shot(phone, 'status-page-public-phone')
    })

    it('sent no credential with any request', async () => {
      expect(requests.length).toBeGreaterThan(0)
      const withAuth: string[] = []
      for (const r of requests) {
        const headers = await r.allHeaders()
        if (headers.authorization !== undefined) withAuth.push(r.url())
      }
      expect(withAuth).toEqual([])
      expect(requests.some((r) => r.url().endsWith(`/api/v1/public/status-pages/${SLUG}`))).toBe(true)
      expect(requests.some((r) => /\/api\/v1\/(auth|targets|stats|status-pages)\b/.test(r.url()))).toBe(false)
    })

    it('loads a badge in an <img>', async () => {
      const width = await phone.evaluate(async (src) => {
        const img = document.createElement('img')
        img.src = src
        document.body.append(img)
        await img.decode()
        return img.naturalWidth
      }, `${backend.base}/api/v1/public/badges/${evilId}/status.svg`)
      expect(width).toBeGreaterThan(0)
    })

    it('says there is no page at an unknown address', async () => {
      await phone.goto(`${backend.base}/status/no-such-page`)
      await phone.getByRole('heading', { level: 1, name: 'There is no status page here' }).waitFor({ timeout: WAIT })
      expect(phone.url()).toBe(`${backend.base}/status/no-such-page`)
    })
  })

  it("gives away no target's URL in the public JSON", async () => {
    const res = await fetch(`${backend.base}/api/v1/public/status-pages/${SLUG}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('max-age=30')
    const raw = await res.text()
    expect(raw).not.toContain(targets.base)
    expect(raw).not.toContain('http://127.0.0.1')
    const body = JSON.parse(raw) as { targets: { id: number; name: string }[] }
    expect(body.targets).toEqual([expect.objectContaining({ id: evilId, name: EVIL })])
    for (const t of body.targets) expect(Object.keys(t).sort()).toEqual(['id', 'name', 'status', 'uptime_24h', 'uptime_30d'])
  })

  it('has badges only for targets on some page', async () => {
    expect((await fetch(`${backend.base}/api/v1/public/badges/${evilId}/status.svg`)).status).toBe(200)
    expect((await fetch(`${backend.base}/api/v1/public/badges/${evilId}/uptime-24h.svg`)).status).toBe(200)
    const hidden = await fetch(`${backend.base}/api/v1/public/badges/${hiddenId}/status.svg`)
    expect(hidden.status).toBe(404)
    expect(await hidden.text()).not.toContain('internal-only')
  })

  it('edits on a phone as a page of its own, reordering with Move buttons', async () => {
    const other = (await backend.api(token, 'POST', '/targets', {
      url: `${targets.base}/ok?second`,
      name: 'second-api',
      interval_seconds: 5,
    })) as { id: number }
    await admin.setViewportSize({ width: 390, height: 844 })
    try {
      const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name: 'Acme status' }) })
      await card.getByRole('button', { name: 'Edit' }).click()
      const dialog = admin.getByRole('dialog', { name: `Edit ${SLUG}` })
      await dialog.waitFor()
      // The target's name is known again from the API, not only its number.
      await dialog.getByRole('button', { name: `Remove ${EVIL}`, exact: true }).waitFor({ timeout: WAIT })
      await dialog.getByLabel('Find targets', { exact: true }).fill('second')
      await dialog.getByRole('checkbox', { name: 'Show second-api', exact: true }).check()
      const up = dialog.getByRole('button', { name: 'Move up second-api', exact: true })
      await up.click()
      // Focus stays with the moved target; the preview follows the new order.
      expect(await up.evaluate((b) => b === document.activeElement || b.nextElementSibling === document.activeElement)).toBe(true)
      const names = dialog.getByTestId('status-page-preview').locator('.sp-target .sp-name')
      await expect.poll(() => names.allTextContents()).toEqual(['second-api', EVIL])
      const box = await dialog.boundingBox()
      expect(box?.width).toBeLessThanOrEqual(390)
      expect(await admin.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390)
      await shot(admin, 'status-page-editor-phone')
      await dialog.getByRole('button', { name: 'Save' }).click()
      await dialog.waitFor({ state: 'hidden' })
      await card.getByText('2 targets', { exact: true }).waitFor()
      const page = (await backend.api(token, 'GET', '/status-pages')) as { items: { target_ids: number[] }[] }
      expect(page.items[0]!.target_ids).toEqual([other.id, evilId])
    } finally {
      await admin.setViewportSize({ width: 1280, height: 900 })
    }
  })

  it('deletes a page after asking in words', async () => {
    const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name: 'Acme status' }) })
    await card.getByRole('button', { name: 'Delete' }).click()
    const confirm = admin.getByRole('alertdialog', { name: `Delete status page ${SLUG}?` })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await admin.getByRole('heading', { name: 'No status pages yet' }).waitFor({ timeout: WAIT })
    // Its badges go with it: the target is on no page now. (The API may keep a public
    // answer for a few seconds.)
    await expect
      .poll(async () => (await fetch(`${backend.base}/api/v1/public/badges/${evilId}/status.svg`)).status, {
        timeout: 30_000,
        interval: 1_000,
      })
      .toBe(404)
  })

  it('raised no CSP violation or page error', () => {
    expect(problems).toEqual([])
  })
})
