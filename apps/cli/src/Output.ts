import { Context, Effect, Layer } from "effect"
import type { Paint } from "./Colors.js"
import { colorsOn, paintFor } from "./Colors.js"

export type { Paint } from "./Colors.js"

/**
 * Where a command's results go: tables and sentences for people, or (`--json`) one JSON value
 * per line for scripts. Results go to stdout; progress, notes and errors to stderr, so that
 * `leadq … --json | jq` reads nothing but results. Colours only on a terminal, and never under
 * `NO_COLOR`.
 */
export interface OutputService {
  readonly json: boolean
  /** A line of results (people mode). */
  readonly line: (text: string) => Effect.Effect<void>
  /** One JSON value on one line (`--json` mode). */
  readonly jsonLine: (value: unknown) => Effect.Effect<void>
  /** A table with a header row (people mode). */
  readonly table: (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => Effect.Effect<void>
  /** `label  value` pairs, aligned (people mode: one record). */
  readonly record: (pairs: ReadonlyArray<readonly [string, string]>) => Effect.Effect<void>
  /** A note for people on stderr (never mixed with results). */
  readonly note: (text: string) => Effect.Effect<void>
  readonly paint: Paint
}

export class Output extends Context.Tag("leadq/cli/Output")<Output, OutputService>() {
  static readonly layer = (json: boolean): Layer.Layer<Output> => Layer.sync(Output, () => makeOutput(json))
}

const ANSI = /\x1b\[[0-9;]*m/g
export const visibleWidth = (s: string): number => s.replace(ANSI, "").length

const pad = (s: string, width: number, right: boolean) => {
  const fill = " ".repeat(Math.max(0, width - visibleWidth(s)))
  return right ? fill + s : s + fill
}

/** Columns whose cells are all numbers are right-aligned. */
export const renderTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, paint: Paint): string => {
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ""))))
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d,.]+( ?[a-z%/]+)?$|^$/.test((r[i] ?? "").replace(ANSI, ""))))
  const lines = [
    paint.bold(headers.map((h, i) => pad(h, widths[i]!, numeric[i]!)).join("  ").trimEnd()),
    ...rows.map((r) => headers.map((_, i) => pad(r[i] ?? "", widths[i]!, numeric[i]!)).join("  ").trimEnd())
  ]
  return lines.join("\n")
}

const makeOutput = (json: boolean): OutputService => {
  const paint = paintFor(!json && colorsOn(process.stdout))
  const stderrPaint = paintFor(colorsOn(process.stderr))
  const out = (text: string) => Effect.sync(() => void process.stdout.write(text + "\n"))
  return {
    json,
    paint,
    line: out,
    jsonLine: (value) => out(JSON.stringify(value)),
    table: (headers, rows) => out(renderTable(headers, rows, paint)),
    record: (pairs) => {
      const width = Math.max(0, ...pairs.map(([k]) => k.length))
      return out(pairs.map(([k, v]) => `${paint.dim(k.padEnd(width))}  ${v}`).join("\n"))
    },
    note: (text) => Effect.sync(() => void process.stderr.write(stderrPaint.dim(text) + "\n"))
  }
}

/** `12,345` */
export const count = (n: number): string => n.toLocaleString("en-US")

/** `2026-06-01 12:00:05Z`: ISO, without the milliseconds, readable in a column. */
export const when = (d: Date | null | undefined): string =>
  d === null || d === undefined ? "" : d.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z")

/** At most `max` characters, with an ellipsis. */
export const clip = (s: string | null | undefined, max = 40): string =>
  s === null || s === undefined ? "" : s.length > max ? `${s.slice(0, max - 1)}…` : s

const STATUS_COLOURS: Record<string, keyof Paint> = {
  running: "green",
  paused: "yellow",
  completed: "blue",
  cancelled: "red",
  pending: "cyan",
  in_progress: "yellow",
  initiated: "yellow",
  failed: "red",
  removed: "dim",
  no_answer: "yellow",
  busy: "yellow"
}

export const status = (paint: Paint, s: string): string => {
  const colour = STATUS_COLOURS[s]
  return colour === undefined ? s : paint[colour](s)
}
