// The pieces a browser test runs against, all on 127.0.0.1: the real WatchDog
// backend serving the built dashboard, and a tiny target server (/ok → 200,
// /fail → 500, /slow → 200 after a while) that also takes webhook deliveries (POST
// /hook, recorded for the test to read).
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { join, resolve } from 'node:path'
import { type Browser, type Page, chromium } from 'playwright-core'
import { inject } from 'vitest'

/** Where browser tests leave backend logs (one folder per file) and screenshots. */
export const results = resolve(import.meta.dirname, '../test-results')
export const shots = join(results, 'screenshots')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** One POST the target server's /hook received. */
export interface HookDelivery {
  /** The body as sent, for checking its signature. */
  raw: string
  /** The body parsed as JSON (undefined when it was not JSON). */
  body: unknown
  /** Header names in lower case. */
  headers: http.IncomingHttpHeaders
  at: number
}

export interface TargetServer {
  base: string
  /** Every POST /hook received, oldest first. */
  hooks: HookDelivery[]
  close(): Promise<void>
}

export async function startTargetServer(): Promise<TargetServer> {
  const hooks: HookDelivery[] = []
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/hook' && req.method === 'POST') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = JSON.parse(raw)
        } catch {
          body = undefined
        }
        hooks.push({ raw, body, headers: req.headers, at: Date.now() })
        res.writeHead(204).end()
      })
    } else if (path === '/ok') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok')
    } else if (path === '/fail') {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom')
    } else if (path === '/slow') {
      setTimeout(() => res.writeHead(200).end('slow'), 300)
    } else {
      res.writeHead(404).end()
    }
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    hooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface BackendOptions {
  binary: string
  dist: string
  dataDir: string
  port: number
  adminPass: string
  logDir: string
}

export class Backend {
  private proc: ChildProcess | null = null
  private starts = 0
  readonly base: string

  constructor(private readonly o: BackendOptions) {
    this.base = `http://127.0.0.1:${o.port}`
  }

  async start(): Promise<void> {
    mkdirSync(this.o.logDir, { recursive: true })
    // A fresh log per run; a restart within the run appends to it.
    const log = createWriteStream(join(this.o.logDir, 'backend.log'), { flags: this.starts++ ? 'a' : 'w' })
    const proc = spawn(this.o.binary, [], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: join(this.o.dataDir, 'w.db'),
        ADMIN_PASS: this.o.adminPass,
        ALLOW_PRIVATE_TARGETS: 'true',
        MIN_INTERVAL_SECONDS: '5',
        FRONTEND_DIR: this.o.dist,
        LISTEN_ADDR: `127.0.0.1:${this.o.port}`,
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT: '3s',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    proc.stdout?.pipe(log)
    proc.stderr?.pipe(log)
    this.proc = proc
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`watchdog exited with ${proc.exitCode}; see ${this.o.logDir}/backend.log`)
      try {
        const res = await fetch(`${this.base}/readyz`)
        if (res.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('watchdog did not become ready in 30 s')
  }

  async stop(): Promise<void> {
    const proc = this.proc
    this.proc = null
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }

  /** Logs in over the API, for setting up data faster than through the page. */
  async token(): Promise<string> {
    const res = await fetch(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: this.o.adminPass }),
    })
    if (!res.ok) throw new Error(`login: ${res.status}`)
    return ((await res.json()) as { access_token: string }).access_token
  }

  async api(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.status === 204 ? undefined : res.json()
  }
}

/** Chromium's flags for a quiet, sandbox-less headless run (CI runs as root). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

export interface StackOptions {
  adminPass: string
  /** Start the target server too; true unless a file needs no targets. */
  targets?: boolean
}

/** What startStack started; `targets` is undefined when asked for none. */
export interface Stack<T extends TargetServer | undefined = TargetServer> {
  targets: T
  backend: Backend
  browser: Browser
  /** Stops everything that was started, in reverse order. */
  stop(): Promise<void>
}

/**
 * Everything one browser-test file runs against: the target server (unless
 * `targets: false`), a fresh backend named after the file (its data in the run's work
 * folder, its log in test-results/{name}/), and Chromium. Contexts and pages are the
 * file's own. If a step fails, what had started is stopped before the error is thrown.
 */
export async function startStack(name: string, o: StackOptions & { targets: false }): Promise<Stack<undefined>>
export async function startStack(name: string, o: StackOptions): Promise<Stack>
export async function startStack(name: string, o: StackOptions): Promise<Stack<TargetServer | undefined>> {
  const { binary, dist, work } = inject('e2e')
  mkdirSync(shots, { recursive: true })
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s()
  }
  try {
    const targets = o.targets === false ? undefined : await startTargetServer()
    if (targets) stops.push(() => targets.close())
    const backend = new Backend({
      binary,
      dist,
      dataDir: mkdtempSync(join(work, `${name}-`)),
      port: await freePort(),
      adminPass: o.adminPass,
      logDir: join(results, name),
    })
    stops.push(() => backend.stop())
    await backend.start()
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
    stops.push(() => browser.close())
    return { targets, backend, browser, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * Logs in through the login page as a person does, then waits for the dashboard;
 * with `arrive: false` it does not (a refused password or a two-factor step stays
 * on the login page).
 */
export async function logIn(
  p: Page,
  base: string,
  username: string,
  password: string,
  o: { arrive?: boolean } = {},
): Promise<void> {
  await p.goto(base + '/login')
  await p.getByLabel('Username').fill(username)
  await p.getByLabel('Password', { exact: true }).fill(password)
  await p.getByRole('button', { name: 'Log in' }).click()
  if (o.arrive !== false) await p.waitForURL(base + '/')
}

/** A full-page screenshot of `p` into test-results/screenshots/{name}.png. */
export async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
}

/** Records into `problems` every Content Security Policy report and uncaught error on `p`. */
export function watchProblems(p: Page, problems: string[]): void {
  p.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(m.text())
  })
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
}
