import type { LeadStatus } from "@leadq/domain"
import { CampaignLead, isE164, issuesOf, LeadInput, LeadRemoval } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import type { HashMap } from "effect"
import { Effect, Either, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import type { IdFlags, PageFlags } from "../Gateway.js"
import { given, pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, count, Output, status, when } from "../Output.js"
import { UsageError } from "../UsageError.js"
import { uploadFile } from "../FileUpload.js"

const encodeLead = Schema.encodeSync(CampaignLead)
const encodeRemoval = Schema.encodeSync(LeadRemoval)

const notesText = (notes: Readonly<Record<string, unknown>>) =>
  Object.entries(notes).map(([k, v]) => `${k}=${String(v)}`).join(", ")

export const printLead = (lead: CampaignLead) =>
  Effect.gen(function*() {
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeLead(lead))
    const p = output.paint
    yield* output.record([
      ["id", p.bold(lead.id)],
      ["campaign", lead.campaign_id],
      ["name", lead.name ?? ""],
      ["phone", lead.phone_number],
      ["status", status(p, lead.status)],
      ["scheduled at", when(lead.scheduled_at)],
      ["attempts", String(lead.attempts)],
      ["last call log", lead.call_log_id ?? ""],
      ["notes", notesText(lead.notes)],
      ["created", when(lead.created_at)]
    ])
  })

const leadRow = (l: CampaignLead, p: Paint) => [
  l.id,
  l.phone_number,
  clip(l.name, 24),
  status(p, l.status),
  String(l.attempts),
  when(l.scheduled_at),
  l.campaign_id
]

export interface AddFlags extends ConnectionFlags {
  readonly campaign: string
  readonly phone: string
  readonly countryCode: Option.Option<string>
  readonly name: Option.Option<string>
  readonly note: Option.Option<HashMap.HashMap<string, string>>
}

const LeadBody = Schema.Struct({ campaignId: Schema.String, ...LeadInput.fields })

export const add = (flags: AddFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const notes = Option.match(flags.note, { onNone: () => undefined, onSome: (m) => Object.fromEntries(m) })
    const payload = yield* Either.mapLeft(
      Schema.decodeUnknownEither(LeadBody, { errors: "all", onExcessProperty: "error" })({
        campaignId: flags.campaign,
        phoneNumber: flags.phone,
        ...(given(flags.countryCode) !== undefined ? { countryCode: given(flags.countryCode) } : {}),
        ...(given(flags.name) !== undefined ? { name: given(flags.name) } : {}),
        ...(notes !== undefined ? { notes } : {})
      }),
      (error) => new UsageError({ message: "The lead is not valid:", details: issuesOf(error) })
    )
    const leadq = yield* LeadqClient
    const lead = yield* leadq.leads.create({ payload })
    const output = yield* Output
    if (!output.json) yield* output.note(`Added lead ${lead.id} to campaign ${lead.campaign_id}.`)
    yield* printLead(lead)
  }))

export const get = (flags: IdFlags) =>
  withGateway(flags, Effect.flatMap(LeadqClient, (leadq) => Effect.flatMap(leadq.leads.get({ path: { id: flags.id } }), printLead)))

export interface ListFlags extends ConnectionFlags, PageFlags {
  readonly campaign: Option.Option<string>
  readonly status: Option.Option<LeadStatus>
  readonly phone: Option.Option<string>
}

export const list = (flags: ListFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    const phone = given(flags.phone)
    if (phone !== undefined && !isE164(phone)) {
      return yield* new UsageError({ message: `--phone must be an E.164 number such as +14155550123, got "${phone}".` })
    }
    const campaign = given(flags.campaign)
    yield* listing({
      paging,
      noun: "leads",
      fetch: (page, limit) =>
        leadq.leads.list({
          urlParams: {
            page,
            limit,
            ...(campaign !== undefined ? { campaign_id: campaign } : {}),
            ...(Option.isSome(flags.status) ? { status: flags.status.value } : {}),
            ...(phone !== undefined ? { phone_number: phone } : {})
          }
        }),
      headers: ["ID", "PHONE", "NAME", "STATUS", "ATTEMPTS", "SCHEDULED AT", "CAMPAIGN"],
      row: leadRow,
      json: encodeLead
    })
  }))

export interface RemoveFlags extends IdFlags {
  readonly reason: Option.Option<string>
  readonly suppress: boolean
}

export const remove = (flags: RemoveFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const reason = given(flags.reason)
    const removal = yield* leadq.leads.remove({
      path: { id: flags.id },
      urlParams: { ...(reason === undefined ? {} : { reason }), ...(flags.suppress ? { suppress: "true" as const } : {}) }
    })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeRemoval(removal))
    yield* output.line(`Removed lead ${output.paint.bold(removal.lead_id)} from its campaign (it was ${removal.removed_from}).`)
    if (removal.call_in_progress) {
      yield* output.line("A call was in progress: it is not cut; its call log is written when it ends, and no retry follows.")
    }
    if (removal.suppressed === true) {
      yield* output.line(`Its number is suppressed: no campaign of the organization will call it again.`)
    }
  }))

export interface UploadFlags extends ConnectionFlags {
  readonly campaign: string
  readonly file: string
}

export const upload = (flags: UploadFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const output = yield* Output
    const result = yield* uploadFile(
      flags.file,
      "waiting for the gateway to store the leads…",
      (source) => leadq.uploadCsv(flags.campaign, source)
    )
    if (output.json) return yield* output.jsonLine({ ...result })
    const listed = result.skipped.length + result.skipped_unlisted
    // Per reason among the listed rows; the gateway lists the first 1,000 and only counts the rest.
    const suppressed = result.skipped.filter((s) => s.reason === "suppressed").length
    const duplicates = result.skipped.length - suppressed
    yield* output.line(
      `Added ${count(result.leads_created)} leads to campaign ${output.paint.bold(result.campaign_id)}; ` +
        `${count(result.leads_skipped - listed)} rows without a phone number skipped` +
        (duplicates === 0 ? "" : `; ${count(duplicates)} rows with a number the campaign already holds skipped`) +
        (suppressed === 0 ? "" : `; ${count(suppressed)} rows with a suppressed number skipped`) +
        (result.skipped_unlisted === 0 ? "" : `; ${count(result.skipped_unlisted)} more rows with a number skipped`) +
        (listed === 0 ? "." : ":")
    )
    if (listed === 0) return
    yield* output.table(
      ["ROW", "PHONE", "REASON", "HELD BY"],
      result.skipped.map((s) => [String(s.row), s.phone_number, s.reason, s.lead_id ?? ""])
    )
    if (result.skipped_unlisted > 0) yield* output.line(`… and ${count(result.skipped_unlisted)} more (the gateway lists the first ${count(result.skipped.length)}).`)
  }))
