// @vitest-environment node
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'

// config.json as static hosts serve it: the file, nothing (404), or a single-page-app
// fallback that answers index.html for every path.
let server: http.Server
let base = ''

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/with/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"apiBase":"https://watchdog.example.com/"}')
    } else if (req.url === '/spa/config.json') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><div id="app"></div>')
    } else if (req.url === '/slow/config.json') {
      setTimeout(() => res.writeHead(200).end('{"apiBase":"late"}'), 2000)
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
)

describe('loadConfig', () => {
  it('reads apiBase from config.json', async () => {
    expect(await loadConfig(`${base}/with/config.json`)).toEqual({ apiBase: 'https://watchdog.example.com' })
  })

  it('uses the same origin without one', async () => {
    expect(await loadConfig(`${base}/none/config.json`)).toEqual({ apiBase: '' })
    expect(await loadConfig(`${base}/spa/config.json`)).toEqual({ apiBase: '' })
  })

  it('does not wait long for a slow host', async () => {
    const t0 = Date.now()
    expect(await loadConfig(`${base}/slow/config.json`, 200)).toEqual({ apiBase: '' })
    expect(Date.now() - t0).toBeLessThan(1500)
  })
})
