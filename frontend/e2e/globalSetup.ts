// Once per browser-test run: build the dashboard (vite build) and the real backend
// (go build), and hand their paths to the tests.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'

const frontend = resolve(import.meta.dirname, '..')

export default function setup(project: TestProject) {
  const work = mkdtempSync(join(tmpdir(), 'watchdog-e2e-'))
  const binary = join(work, 'watchdog')

  const t0 = Date.now()
  execFileSync(process.execPath, [join(frontend, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: frontend,
    stdio: 'inherit',
  })
  const t1 = Date.now()
  execFileSync('go', ['build', '-o', binary, './cmd/watchdog'], {
    cwd: resolve(frontend, '../backend'),
    stdio: 'inherit',
    env: { ...process.env, CGO_ENABLED: '0' },
  })
  console.log(`e2e setup: vite build ${t1 - t0} ms, go build ${Date.now() - t1} ms`)

  project.provide('e2e', { binary, dist: join(frontend, 'dist'), work })
  return () => rmSync(work, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: { binary: string; dist: string; work: string }
  }
}
