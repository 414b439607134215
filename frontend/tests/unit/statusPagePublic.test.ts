// @vitest-environment node
// Reading a public status page against a real HTTP server on 127.0.0.1: no credential
// is ever sent, 404 is "no such page", a gateway's 502 or a dead port is unreachable,
// and a slug the API could never have is not asked for at all.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../src/api/errors'
import { fetchPublicStatusPage, publicStatusPageUrl } from '../../src/lib/statusPagePublic'

interface Seen {
  url: string
  headers: http.IncomingHttpHeaders
}

let server: http.Server
let root = ''
let seen: Seen[] = []

const body = {
  title: 'Acme',
  description: '',
  targets: [{ id: 1, name: 'shop-api', status: 'up', uptime_24h: 1, uptime_30d: null }],
  incidents: [],
  generated_at: '2026-11-25T10:00:00Z',
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    const path = (req.url ?? '').split('?')[0]
    if (path === '/api/v1/public/status-pages/acme') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=30' }).end(JSON.stringify(body))
    } else if (path === '/api/v1/public/status-pages/gateway') {
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>')
    } else {
      const problem = { type: 'urn:watchdog:problem:not-found', title: 'Not Found', status: 404, detail: 'status page not found' }
      res.writeHead(404, { 'Content-Type': 'application/problem+json' }).end(JSON.stringify(problem))
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`
})

afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
)

beforeEach(() => {
  seen = []
})

describe('fetchPublicStatusPage', () => {
  it('reads the page with no Authorization header and no cookie', async () => {
    const page = await fetchPublicStatusPage(root, 'acme')
    expect(page).toEqual(body)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.headers.authorization).toBeUndefined()
    expect(seen[0]!.headers.cookie).toBeUndefined()
    expect(seen[0]!.headers.accept).toContain('application/json')
  })

  it('answers 404 as an ApiError for an unknown slug', async () => {
    const err = await fetchPublicStatusPage(root, 'nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(404)
    expect((err as ApiError).slug).toBe('not-found')
  })

  it('never asks for a slug the API could not have', async () => {
    for (const slug of ['..', '../auth/me', 'UPPER', '', 'a/b']) {
      const err = await fetchPublicStatusPage(root, slug).catch((e: unknown) => e)
      expect(err, slug).toBeInstanceOf(ApiError)
      expect((err as ApiError).status).toBe(404)
    }
    expect(seen).toEqual([])
  })

  it("tells a gateway's error page and a dead port apart from the API's answers", async () => {
    await expect(fetchPublicStatusPage(root, 'gateway')).rejects.toBeInstanceOf(NetworkError)
    const dead = await new Promise<number>((resolve) => {
      const s = http.createServer()
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo
        s.close(() => resolve(port))
      })
    })
    await expect(fetchPublicStatusPage(`http://127.0.0.1:${dead}/api/v1`, 'acme')).rejects.toBeInstanceOf(NetworkError)
  })

  it('builds the URL under the API root', () => {
    expect(publicStatusPageUrl('/api/v1/', 'acme')).toBe('/api/v1/public/status-pages/acme')
    expect(publicStatusPageUrl('https://w.example/api/v1', 'a-b')).toBe('https://w.example/api/v1/public/status-pages/a-b')
  })
})
