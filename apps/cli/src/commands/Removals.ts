import type { Page } from "@leadq/domain"
import { RemovalAudit } from "@leadq/domain"
import { items, LeadqClient } from "@leadq/transport"
import { Effect, Option, Schema, Stream } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import { csvLine } from "../Csv.js"
import type { PageFlags, Paging } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, count, Output, when } from "../Output.js"
import { UsageError } from "../UsageError.js"

const encodeAudit = Schema.encodeSync(RemovalAudit)

const auditRow = (r: RemovalAudit, p: Paint) => [
  when(r.removed_at),
  r.lead_id,
  r.phone_number,
  r.removed_from === "in_call" ? p.yellow(r.removed_from) : r.removed_from,
  String(r.attempt),
  r.api_key_id,
  // A reason may hold line breaks: one line per row in a table.
  clip(r.reason?.replace(/\s+/g, " ")),
  r.campaign_id
]

const AUDIT_HEADERS = ["REMOVED", "LEAD", "PHONE", "FROM", "ATTEMPT", "API KEY", "REASON", "CAMPAIGN"]

/** The CSV columns: the record's wire fields, in the order the API documents them. */
const CSV_COLUMNS = [
  "id",
  "lead_id",
  "campaign_id",
  "phone_number",
  "removed_from",
  "attempt",
  "call_in_progress",
  "reason",
  "api_key_id",
  "removed_at"
] as const satisfies ReadonlyArray<keyof RemovalAudit>

const csvRow = (r: RemovalAudit) => {
  const wire = encodeAudit(r)
  return csvLine(CSV_COLUMNS.map((column) => wire[column]))
}

export const printAudit = (audit: RemovalAudit) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeAudit(audit))
    const p = output.paint
    yield* output.record([
      ["id", p.bold(audit.id)],
      ["lead", audit.lead_id],
      ["campaign", audit.campaign_id],
      ["phone", audit.phone_number],
      ["removed from", audit.removed_from],
      ["attempt", String(audit.attempt)],
      ["call in progress", audit.call_in_progress ? "yes (it went on to its end; no retry)" : "no"],
      ["reason", audit.reason ?? ""],
      ["api key", audit.api_key_id],
      ["removed at", when(audit.removed_at)]
    ])
  })

export type ListFormat = "table" | "json" | "csv"

export interface ListFlags extends ConnectionFlags, PageFlags {
  readonly campaign: Option.Option<string>
  readonly phone: Option.Option<string>
  readonly apiKeyId: Option.Option<string>
  readonly from: Option.Option<Date>
  readonly to: Option.Option<Date>
  readonly format: ListFormat
}

/** `--json` is `--format json`; with another explicit format it is a contradiction. */
const formatOf = (flags: ListFlags): Effect.Effect<ListFormat, UsageError> =>
  !flags.json ? Effect.succeed(flags.format) : flags.format === "csv"
  ? Effect.fail(new UsageError({ message: "--json and --format csv disagree: give one of them." }))
  : Effect.succeed("json")

/**
 * CSV for a compliance export: a header row, then one row per record. With `--all` each page is
 * written as it arrives, so an export of any size streams through a pipe.
 */
const csvListing = <E, R>(paging: Paging, fetch: (page: number, limit: number) => Effect.Effect<Page<RemovalAudit>, E, R>) =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* output.line(csvLine(CSV_COLUMNS))
    if (paging.all) return yield* Stream.runForEach(items((page) => fetch(page, paging.limit)), (r) => output.line(csvRow(r)))
    const page = yield* fetch(paging.page, paging.limit)
    yield* Effect.forEach(page.data, (r) => output.line(csvRow(r)), { discard: true })
    if (page.meta.page < page.meta.totalPages) {
      yield* output.note(`Page ${page.meta.page} of ${page.meta.totalPages}, ${count(page.meta.total)} removals in all. Next: --page ${page.meta.page + 1}, or --all.`)
    }
  })

export const list = (flags: ListFlags) =>
  Effect.flatMap(formatOf(flags), (format) =>
    withGateway({ ...flags, json: format === "json" }, Effect.gen(function*() {
      const leadq = yield* LeadqClient
      const paging = yield* pagingOf(flags)
      const campaign = given(flags.campaign)
      const phone = given(flags.phone)
      const apiKeyId = given(flags.apiKeyId)
      const filters = {
        ...(campaign !== undefined ? { campaign_id: campaign } : {}),
        ...(phone !== undefined ? { phone_number: phone } : {}),
        ...(apiKeyId !== undefined ? { api_key_id: apiKeyId } : {}),
        ...(Option.isSome(flags.from) ? { from: flags.from.value } : {}),
        ...(Option.isSome(flags.to) ? { to: flags.to.value } : {})
      }
      const fetch = (page: number, limit: number) => leadq.removals.list({ urlParams: { page, limit, ...filters } })
      if (format === "csv") return yield* csvListing(paging, fetch)
      yield* listing({ paging, noun: "removals", fetch, headers: AUDIT_HEADERS, row: auditRow, json: encodeAudit })
    })))

export interface GetFlags extends ConnectionFlags {
  readonly id: string
}

export const get = (flags: GetFlags) =>
  withGateway(flags, Effect.flatMap(LeadqClient, (leadq) => Effect.flatMap(leadq.removals.ofLead({ path: { id: flags.id } }), printAudit)))
