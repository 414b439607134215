// A QR code's modules as one SVG path: each run of dark modules in a row is one
// rectangle, so a code of ~40×40 modules is a few hundred short commands, drawn
// crisp at any size. The matrix comes from the `qr` package (encodeQR(text, 'raw')).

/** A run of `length` dark modules from column x in row y. */
export type Run = [x: number, y: number, length: number]

export function darkRuns(matrix: readonly (readonly boolean[])[]): Run[] {
  const runs: Run[] = []
  matrix.forEach((row, y) => {
    let x = 0
    while (x < row.length) {
      if (!row[x]) {
        x++
        continue
      }
      const start = x
      while (x < row.length && row[x]) x++
      runs.push([start, y, x - start])
    }
  })
  return runs
}

/** The path of the dark modules, offset by `margin` modules (the quiet zone). */
export function qrPath(matrix: readonly (readonly boolean[])[], margin = 0): string {
  return darkRuns(matrix)
    .map(([x, y, n]) => `M${x + margin} ${y + margin}h${n}v1h-${n}z`)
    .join('')
}
