import type { Scope } from "effect"
import { Effect, Schedule } from "effect"
import { count } from "./Output.js"

/**
 * A progress bar on stderr, with rate and time left, redrawn ten times a second; only when
 * stderr is a terminal (in a pipe, a log or a test it stays silent). The work reports with
 * `advance`, which is a plain function: cheap enough to call once per lead.
 */
export interface Progress {
  readonly advance: (n?: number) => void
  /** A word after the figures ("waiting for the gateway…"). */
  readonly status: (text: string) => void
}

const formatBytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`

const formatDuration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return "--:--"
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`
}

export const renderProgress = (label: string, done: number, total: number, elapsedMs: number, unit: "items" | "bytes", note = "") => {
  const width = 24
  const ratio = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(ratio * width)
  const bar = "█".repeat(filled) + "░".repeat(width - filled)
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY
  const figures = unit === "bytes"
    ? `${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(rate)}/s`
    : `${count(done)}/${count(total)}  ${count(Math.round(rate))}/s`
  return `${label} ${bar} ${String(Math.floor(ratio * 100)).padStart(3)}%  ${figures}  ETA ${formatDuration(eta)}${note === "" ? "" : `  ${note}`}`
}

export const progressBar = (label: string, total: number, unit: "items" | "bytes" = "items"): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    let done = 0
    let note = ""
    const progress: Progress = {
      advance: (n = 1) => {
        done += n
      },
      status: (text) => {
        note = text
      }
    }
    if (process.stderr.isTTY !== true) return progress
    const started = Date.now()
    const draw = Effect.sync(() => {
      const line = renderProgress(label, done, total, Date.now() - started, unit, note)
      const columns = process.stderr.columns ?? 120
      process.stderr.write(`\r\x1b[2K${line.slice(0, Math.max(20, columns - 1))}`)
    })
    yield* Effect.forkScoped(Effect.repeat(draw, Schedule.spaced("100 millis")))
    yield* Effect.addFinalizer(() => Effect.zipRight(draw, Effect.sync(() => void process.stderr.write("\n"))))
    return progress
  })
