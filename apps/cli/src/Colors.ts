/**
 * Colours for a terminal only, and never under `NO_COLOR`. Kept apart from the output service
 * (and free of imports) because the entry point needs it before anything else is loaded.
 */
export interface Paint {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly red: (s: string) => string
  readonly green: (s: string) => string
  readonly yellow: (s: string) => string
  readonly blue: (s: string) => string
  readonly cyan: (s: string) => string
}

export const colorsOn = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["TERM"] !== "dumb"

export const paintFor = (enabled: boolean): Paint => {
  const sgr = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s)
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    cyan: sgr(36, 39)
  }
}
