import { FinalCallStatus, EndReason } from "@leadq/domain"
import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import { CallPlan, HangUpBy } from "./SimulatedCallPlan.js"

/**
 * The simulated carrier's own record of what it was asked to do (`LEADQ_SIM_LEDGER=path`): the
 * independent witness of docs/history-checks.md. One JSON object per line, appended with O_APPEND so
 * several worker processes can share one file; nothing is ever rewritten.
 *
 *   {"type":"dial","at":"…Z","call_id":"call_…","lead_id":"lead_…","campaign_id":"cmp_…",
 *    "attempt":1,"phone_number":"+1…","from_phone_number":"+1…","agent_id":"…","worker_id":"…",
 *    "pid":123,"plan":{"outcome":"completed","ring_ms":1000,"talk_ms":3000}}
 *   {"type":"hangup","at":"…Z","call_id":"call_…","lead_id":"lead_…","campaign_id":"cmp_…",
 *    "attempt":1,"by":"callee","status":"completed","end_reason":"user_disconnected",
 *    "connected_at":"…Z","duration_seconds":3,"pid":123}
 *
 * `at` of a hang-up is the call's planned end (dial time + ring + talk), whoever writes it: the
 * process that placed the call, or the one that recovered it. A call may therefore have two
 * identical hang-up lines (a stalled worker waking up after its call was recovered), and a call
 * whose worker died before anyone looked has none — its dial line's plan still tells its end.
 */
export const LedgerDial = Schema.Struct({
  type: Schema.Literal("dial"),
  at: Schema.String,
  call_id: Schema.String,
  lead_id: Schema.String,
  campaign_id: Schema.String,
  attempt: Schema.Int,
  phone_number: Schema.String,
  from_phone_number: Schema.String,
  agent_id: Schema.String,
  worker_id: Schema.String,
  pid: Schema.Int,
  plan: CallPlan
})
export type LedgerDial = typeof LedgerDial.Type

export const LedgerHangUp = Schema.Struct({
  type: Schema.Literal("hangup"),
  at: Schema.String,
  call_id: Schema.String,
  lead_id: Schema.String,
  campaign_id: Schema.String,
  attempt: Schema.Int,
  by: HangUpBy,
  status: FinalCallStatus,
  end_reason: EndReason,
  connected_at: Schema.NullOr(Schema.String),
  duration_seconds: Schema.Number,
  pid: Schema.Int
})
export type LedgerHangUp = typeof LedgerHangUp.Type

export const LedgerLine = Schema.Union(LedgerDial, LedgerHangUp)
export type LedgerLine = typeof LedgerLine.Type

const decodeLine = Schema.decodeUnknownEither(Schema.parseJson(LedgerLine))

/** Parse a whole ledger file's text; malformed lines (a torn last line) are reported, not fatal. */
export const parseLedger = (text: string): { readonly lines: ReadonlyArray<LedgerLine>; readonly malformed: number } => {
  const lines: Array<LedgerLine> = []
  let malformed = 0
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue
    const decoded = decodeLine(raw)
    if (decoded._tag === "Right") lines.push(decoded.right)
    else malformed++
  }
  return { lines, malformed }
}

export const readLedgerFile = (path: string) => parseLedger(fs.existsSync(path) ? fs.readFileSync(path, "utf8") : "")

/** The ledger as the simulated carrier uses it: append, and find a call's lines by its id. */
export interface Ledger {
  readonly append: (line: LedgerLine) => Effect.Effect<void>
  readonly dialOf: (callId: string) => Effect.Effect<LedgerDial | undefined>
  readonly hasHangUp: (callId: string) => Effect.Effect<boolean>
  /** Every line so far (tests, and the history checker when it runs in-process). */
  readonly lines: Effect.Effect<ReadonlyArray<LedgerLine>>
}

/** Without `LEADQ_SIM_LEDGER`: the record lives in this process only (recovery by another process cannot read it). */
export const memoryLedger = (): Ledger => {
  const all: Array<LedgerLine> = []
  const dials = new Map<string, LedgerDial>()
  const hangUps = new Set<string>()
  return {
    append: (line) =>
      Effect.sync(() => {
        all.push(line)
        if (line.type === "dial") dials.set(line.call_id, line)
        else hangUps.add(line.call_id)
      }),
    dialOf: (callId) => Effect.sync(() => dials.get(callId)),
    hasHangUp: (callId) => Effect.sync(() => hangUps.has(callId)),
    lines: Effect.sync(() => [...all])
  }
}

/**
 * The shared file. Each line goes out in one `write(2)` on an O_APPEND descriptor, so lines of
 * concurrent writers never interleave. Reads follow the file incrementally (from the last offset
 * seen), so looking a call up stays cheap as the ledger grows.
 */
export const fileLedger = (path: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644)),
    (fd) => Effect.sync(() => fs.closeSync(fd))
  ).pipe(Effect.map((fd): Ledger => {
    const dials = new Map<string, LedgerDial>()
    const hangUps = new Set<string>()
    let offset = 0
    let partial = ""

    const refresh = Effect.sync(() => {
      const size = fs.statSync(path).size
      if (size <= offset) return
      const buffer = Buffer.alloc(size - offset)
      const rfd = fs.openSync(path, "r")
      try {
        fs.readSync(rfd, buffer, 0, buffer.length, offset)
      } finally {
        fs.closeSync(rfd)
      }
      offset = size
      const text = partial + buffer.toString("utf8")
      const end = text.lastIndexOf("\n")
      // A line still being written by another process stays for the next read.
      partial = text.slice(end + 1)
      for (const line of parseLedger(text.slice(0, end + 1)).lines) {
        if (line.type === "dial") dials.set(line.call_id, line)
        else hangUps.add(line.call_id)
      }
    })

    return {
      append: (line) =>
        Effect.sync(() => {
          fs.writeSync(fd, JSON.stringify(line) + "\n")
        }),
      dialOf: (callId) => Effect.map(refresh, () => dials.get(callId)),
      hasHangUp: (callId) => Effect.map(refresh, () => hangUps.has(callId)),
      lines: Effect.sync(() => readLedgerFile(path).lines)
    }
  }))
