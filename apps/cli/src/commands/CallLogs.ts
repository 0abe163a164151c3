import type { CallLogStatus } from "@leadq/domain"
import { CallLog } from "@leadq/domain"
import type { IfChanged } from "@leadq/transport"
import { isTransportError, LeadqClient } from "@leadq/transport"
import { Duration, Effect, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import { interruptIsNormalEnd } from "../ExitCode.js"
import type { IdFlags, PageFlags } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { FOLLOW_WINDOW } from "../Limits.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { Output, status, when } from "../Output.js"

const encodeLog = Schema.encodeSync(CallLog)

const duration = (seconds: number | null) => (seconds === null ? "" : `${Math.round(seconds)}s`)

const logRow = (l: CallLog, p: Paint) => [
  l.id,
  l.lead_id,
  l.phone_number,
  String(l.attempt),
  status(p, l.status),
  l.end_reason ?? "",
  duration(l.duration_seconds),
  when(l.created_at)
]

const LOG_HEADERS = ["ID", "LEAD", "PHONE", "ATTEMPT", "STATUS", "END REASON", "DURATION", "CREATED"]

export const printLog = (log: CallLog) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeLog(log))
    const p = output.paint
    yield* output.record([
      ["id", p.bold(log.id)],
      ["call id", log.call_id],
      ["campaign", log.campaign_id],
      ["lead", log.lead_id],
      ["phone", log.phone_number],
      ["attempt", String(log.attempt)],
      ["status", status(p, log.status)],
      ["end reason", log.end_reason ?? ""],
      ["duration", duration(log.duration_seconds)],
      ["started", when(log.started_at)],
      ["ended", when(log.ended_at)],
      ["created", when(log.created_at)]
    ])
  })

export interface ListFlags extends ConnectionFlags, PageFlags {
  readonly campaign: Option.Option<string>
  readonly lead: Option.Option<string>
  readonly status: Option.Option<CallLogStatus>
  readonly since: Option.Option<Date>
  readonly until: Option.Option<Date>
  readonly minDuration: Option.Option<number>
  readonly maxDuration: Option.Option<number>
  readonly order: Option.Option<"asc" | "desc">
}

export const list = (flags: ListFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    const campaign = given(flags.campaign)
    const lead = given(flags.lead)
    const filters = {
      ...(campaign !== undefined ? { campaign_id: campaign } : {}),
      ...(lead !== undefined ? { lead_id: lead } : {}),
      ...(Option.isSome(flags.status) ? { status: flags.status.value } : {}),
      ...(Option.isSome(flags.since) ? { start_date: flags.since.value } : {}),
      ...(Option.isSome(flags.until) ? { end_date: flags.until.value } : {}),
      ...(Option.isSome(flags.minDuration) ? { duration_min: flags.minDuration.value } : {}),
      ...(Option.isSome(flags.maxDuration) ? { duration_max: flags.maxDuration.value } : {}),
      ...(Option.isSome(flags.order) ? { created_at: flags.order.value } : {})
    }
    yield* listing({
      paging,
      noun: "call logs",
      fetch: (page, limit) => leadq.callLogs.list({ urlParams: { page, limit, ...filters } }),
      headers: LOG_HEADERS,
      row: logRow,
      json: encodeLog
    })
  }))

export const get = (flags: IdFlags) =>
  withGateway(flags, Effect.flatMap(LeadqClient, (leadq) => Effect.flatMap(leadq.callLogs.get({ path: { id: flags.id } }), printLog)))

export interface FollowFlags extends ConnectionFlags {
  readonly campaign: Option.Option<string>
  readonly interval: number
  readonly tail: number
}

/**
 * Poll the newest call logs with `If-None-Match` (a 304 costs the gateway no body) and print
 * each log when it first appears and again whenever its status changes: `initiated`, then
 * `in_progress`, then how it ended. Runs until Ctrl-C (exit 0). A gateway that cannot be
 * reached for a while is reported and polled again; a refused key ends it (exit 1).
 */
export const follow = (flags: FollowFlags) =>
  withGateway(flags, Effect.gen(function*() {
    interruptIsNormalEnd()
    const leadq = yield* LeadqClient
    const output = yield* Output
    const campaign = given(flags.campaign)
    const intervalSeconds = flags.interval
    const tail = flags.tail
    // An unknown campaign is a 404 now, rather than an empty list forever.
    if (campaign !== undefined) yield* leadq.campaigns.get({ path: { id: campaign } })

    const params = { page: 1, limit: FOLLOW_WINDOW, created_at: "desc" as const, ...(campaign !== undefined ? { campaign_id: campaign } : {}) }
    const seen = new Map<string, CallLogStatus>()
    let etag = Option.none<string>()
    let first = true
    let unreachable = false
    if (!output.json) {
      yield* output.note(`Following call logs${campaign !== undefined ? ` of ${campaign}` : ""} every ${intervalSeconds}s; Ctrl-C to stop.`)
    }

    const show = (logs: ReadonlyArray<CallLog>) =>
      output.json
        ? Effect.forEach(logs, (log) => output.jsonLine(encodeLog(log)), { discard: true })
        : Effect.forEach(logs, (log) => output.line(logRow(log, output.paint).filter((c) => c !== "").join("  ")), { discard: true })

    const poll = Effect.gen(function*() {
      const answer: IfChanged<{ readonly data: ReadonlyArray<CallLog> }> = yield* leadq.callLogsIfChanged(params, etag)
      if (unreachable) {
        unreachable = false
        if (!output.json) yield* output.note("The gateway answers again.")
      }
      if (answer._tag === "NotModified") return
      etag = answer.etag
      const oldestFirst = [...answer.value.data].reverse()
      const fresh = first
        ? oldestFirst.slice(Math.max(0, oldestFirst.length - tail))
        : oldestFirst.filter((log) => seen.get(log.id) !== log.status)
      seen.clear()
      for (const log of oldestFirst) seen.set(log.id, log.status)
      first = false
      yield* show(fresh)
    }).pipe(
      Effect.catchIf(isTransportError, (error) =>
        Effect.gen(function*() {
          if (!unreachable) yield* output.note(`${error.message} Trying again every ${intervalSeconds}s.`)
          unreachable = true
        }))
    )

    return yield* Effect.forever(Effect.zipRight(poll, Effect.sleep(Duration.seconds(intervalSeconds))))
  }))
