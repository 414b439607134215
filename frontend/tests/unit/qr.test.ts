import { encodeQR } from 'qr'
import decodeQR from 'qr/decode.js'
import { describe, expect, it } from 'vitest'
import { darkRuns, qrPath } from '../../src/lib/qr'

// The two-factor QR code: the `qr` package's matrix drawn as one SVG path of row runs.
// Drawn back into pixels, the path must scan as the otpauth URL it was made from.

const URL_ =
  'otpauth://totp/WatchDog:alice?algorithm=SHA1&digits=6&issuer=WatchDog&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

/** Rasterises "M{x} {y}h{n}v1h-{n}z" commands: black runs on white, `scale` px per module. */
function rasterise(path: string, size: number, scale: number) {
  const w = size * scale
  const data = new Uint8Array(w * w * 4).fill(255)
  for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, n] = [Number(m[1]), Number(m[2]), Number(m[3])]
    expect(Number(m[4])).toBe(n)
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let px = x * scale; px < (x + n) * scale; px++) {
        const i = (py * w + px) * 4
        data[i] = data[i + 1] = data[i + 2] = 0
      }
    }
  }
  return { width: w, height: w, data }
}

describe('qr', () => {
  it('covers exactly the dark modules with row runs', () => {
    const m = [
      [true, true, false, true],
      [false, false, false, false],
      [true, true, true, true],
    ]
    expect(darkRuns(m)).toEqual([
      [0, 0, 2],
      [3, 0, 1],
      [0, 2, 4],
    ])
    expect(qrPath(m, 4)).toBe('M4 4h2v1h-2zM7 4h1v1h-1zM4 6h4v1h-4z')
  })

  it('draws a path that scans back to the otpauth URL, quiet zone included', () => {
    // As QrCode.vue makes it: the quiet zone of 4 modules is part of the matrix.
    const matrix = encodeQR(URL_, 'raw', { ecc: 'medium', border: 4 })
    const size = matrix.length
    expect(matrix[0]!.some(Boolean)).toBe(false)
    const path = qrPath(matrix)
    // Every dark module is drawn once, and nothing else.
    const drawn = darkRuns(matrix).reduce((n, [, , len]) => n + len, 0)
    expect(drawn).toBe(matrix.flat().filter(Boolean).length)
    expect(decodeQR(rasterise(path, size, 4))).toBe(URL_)
  })
})
