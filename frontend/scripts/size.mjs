#!/usr/bin/env node
// Prints the gzipped size of what dist/index.html loads on first paint — its scripts,
// stylesheets and module preloads, and every module those scripts import statically —
// and fails when that is over the budget (150 KB). Chunks loaded later with import()
// (the target page with uPlot) are listed but not counted.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, posix, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET = 150 * 1024
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const indexPath = join(dist, 'index.html')
if (!existsSync(indexPath)) {
  console.error('size: dist/index.html is missing; run `npm run build` first')
  process.exit(2)
}

const html = readFileSync(indexPath, 'utf8')
const gz = (buf) => gzipSync(buf, { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(1)} KB`

// Asset URLs index.html loads: <script src>, <link rel=stylesheet|modulepreload href>.
const initial = new Set()
for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) initial.add(m[1])
for (const m of html.matchAll(/<link\b([^>]*)>/g)) {
  const attrs = m[1]
  const rel = /\brel="([^"]+)"/.exec(attrs)?.[1] ?? ''
  const href = /\bhref="([^"]+)"/.exec(attrs)?.[1]
  if (href && /\b(stylesheet|modulepreload)\b/.test(rel)) initial.add(href)
}

function toFile(url) {
  if (/^(https?:)?\/\//.test(url)) throw new Error(`index.html loads ${url} from elsewhere`)
  return join(dist, url.replace(/^\.?\//, ''))
}

// Follow static imports (import … from "./x.js", import "./x.js"), never import().
const files = new Set()
const queue = [...initial].map(toFile)
while (queue.length) {
  const file = queue.shift()
  if (files.has(file)) continue
  files.add(file)
  if (!file.endsWith('.js')) continue
  const code = readFileSync(file, 'utf8')
  for (const m of code.matchAll(/(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]+?\bfrom\s*)?["']([^"']+\.js)["']/g)) {
    const spec = m[1]
    if (!spec.startsWith('.')) continue
    queue.push(join(dirname(file), ...spec.split(posix.sep)))
  }
}

let total = gz(Buffer.from(html))
const rows = [['index.html', Buffer.byteLength(html), total]]
for (const file of files) {
  const buf = readFileSync(file)
  const size = gz(buf)
  total += size
  rows.push([file.slice(dist.length + 1), buf.length, size])
}
const lazy = readdirSync(join(dist, 'assets'))
  .map((f) => join(dist, 'assets', f))
  .filter((f) => !files.has(f) && /\.(js|css)$/.test(f))

console.log('Loaded by index.html (gzip -9):')
for (const [name, raw, size] of rows) console.log(`  ${name.padEnd(44)} ${kb(raw).padStart(9)} raw  ${kb(size).padStart(8)} gz`)
console.log(`  ${'total'.padEnd(44)} ${''.padStart(13)} ${kb(total).padStart(8)} gz   (budget ${kb(BUDGET)})`)
if (lazy.length) {
  console.log('Loaded later, on demand:')
  for (const f of lazy) console.log(`  ${f.slice(dist.length + 1).padEnd(44)} ${kb(readFileSync(f).length).padStart(9)} raw  ${kb(gz(readFileSync(f))).padStart(8)} gz`)
}
if (total > BUDGET) {
  console.error(`size: FAIL: the initial load is ${kb(total)} gzipped, over the ${kb(BUDGET)} budget`)
  process.exit(1)
}
console.log(`size: ok, ${kb(total)} of ${kb(BUDGET)}`)
