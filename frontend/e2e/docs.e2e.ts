// The API reference at /docs in a real browser against the real backend: it opens on
// the OpenAPI 3 document (it once opened on a Swagger 2.0 doc.json that answered 500
// and showed "Failed to load API definition"), renders every operation, asks nothing
// under /docs that fails, breaks no Content Security Policy, and "Try it out" calls
// the server that serves the page, not the document's default host.
// A screenshot goes to test-results/screenshots/.
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backend, type Stack, shots, startStack } from './stack'

const WAIT = 20_000

let stack: Stack<undefined>
let backend: Backend
let page: Page
const problems: string[] = []
/** Every answer the page got: path and status. */
const answers: { path: string; status: number }[] = []

beforeAll(async () => {
  stack = await startStack('docs', { adminPass: 'e2e-docs-pass', targets: false })
  backend = stack.backend
  page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`))
  page.on('response', (r) => answers.push({ path: new URL(r.url()).pathname, status: r.status() }))
})

afterAll(async () => {
  await stack?.stop()
})

describe('/docs', () => {
  it('opens on the OpenAPI 3 document and renders every operation', async () => {
    const doc = (await (await fetch(`${backend.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    // HEAD too: the heartbeat ping endpoints take it, and Swagger UI draws each.
    const methods = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']
    const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((k) => methods.includes(k))).length
    expect(operations).toBeGreaterThan(40)

    await page.goto(`${backend.base}/docs`)
    expect(new URL(page.url()).pathname).toBe('/docs/index.html')
    await page.locator('.opblock').first().waitFor({ timeout: WAIT })
    await expect.poll(() => page.locator('.opblock').count(), { timeout: WAIT }).toBe(operations)
    await expect.poll(() => page.locator('.info .title').innerText(), { timeout: WAIT }).toContain('WatchDog API')
    await page.screenshot({ path: join(shots, 'docs.png') })

    const text = await page.locator('body').innerText()
    expect(text).not.toMatch(/Failed to load/i)
    expect(text).not.toMatch(/Could not read/i)
    // The servers list starts with this server; the document's default follows.
    const servers = await page.locator('.servers select option').allInnerTexts()
    expect(servers[0]).toContain(`${backend.base}/api/v1`)
    expect(servers.join(' ')).toContain('{scheme}://{host}/api/v1')
  })

  it('asked nothing under /docs that failed, and loaded /openapi.json (not doc.json)', () => {
    const docs = answers.filter((a) => a.path === '/docs' || a.path.startsWith('/docs/') || a.path === '/openapi.json')
    expect(docs.map((a) => a.path)).toContain('/openapi.json')
    expect(docs.map((a) => a.path)).not.toContain('/docs/doc.json')
    expect(docs.filter((a) => a.status >= 500)).toEqual([])
    // /docs redirects once; everything else it asked for was there.
    expect(docs.filter((a) => a.status >= 400)).toEqual([])
    expect(problems).toEqual([])
  })

  it('"Try it out" calls this server, the probes at its root', async () => {
    const op = page.locator('#operations-health-healthz')
    await op.locator('.opblock-summary').click()
    await op.locator('button.try-out__btn').click()
    const sent = page.waitForRequest((r) => new URL(r.url()).pathname.endsWith('/healthz'), { timeout: WAIT })
    await op.locator('button.execute').click()
    const req = await sent
    expect(req.url()).toBe(`${backend.base}/healthz`)
    await expect.poll(() => op.locator('.live-responses-table tbody .response-col_status').first().innerText(), { timeout: WAIT }).toContain('200')
    expect(problems).toEqual([])
  })
})
