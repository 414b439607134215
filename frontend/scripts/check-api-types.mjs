#!/usr/bin/env node
// Fails when src/api/schema.d.ts is not what `npm run gen:api` makes from
// ../docs/openapi.json, i.e. when the API changed and the types were not regenerated.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dir = mkdtempSync(join(tmpdir(), 'watchdog-api-types-'))
try {
  const out = join(dir, 'schema.d.ts')
  execFileSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), '../docs/openapi.json', '-o', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (readFileSync(out, 'utf8') !== readFileSync(join(root, 'src/api/schema.d.ts'), 'utf8')) {
    console.error('check:api: FAIL: src/api/schema.d.ts is stale; run `npm run gen:api` and commit it')
    process.exit(1)
  }
  console.log('check:api: src/api/schema.d.ts matches ../docs/openapi.json')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
