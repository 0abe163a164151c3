import { CallLog, Campaign, CampaignLead, PageMeta, RemovalAudit, Suppression } from "@leadq/domain"
import { Schema } from "effect"

/** `{data, meta}` of a list; the items are the domain's models, which are the wire shape. */
const pageOf = <A, I>(item: Schema.Schema<A, I>, identifier: string) =>
  Schema.Struct({ data: Schema.Array(item), meta: PageMeta }).annotations({ identifier })

export const CampaignPage = pageOf(Campaign, "CampaignPage")
export const CampaignLeadPage = pageOf(CampaignLead, "CampaignLeadPage")
export const CallLogPage = pageOf(CallLog, "CallLogPage")
export const RemovalAuditPage = pageOf(RemovalAudit, "RemovalAuditPage")
export const SuppressionPage = pageOf(Suppression, "SuppressionPage")

/** A row of an upload left out on purpose while the rest of the file went in. */
export const SkippedRow = Schema.Struct({
  /** The row number, the header being row 1. */
  row: Schema.Int,
  phone_number: Schema.String,
  /** `suppressed`: the number is on the organization's suppression list. */
  reason: Schema.Literal("suppressed")
}).annotations({ identifier: "SkippedRow" })

/** The answer to a CSV upload. */
export class UploadResult extends Schema.Class<UploadResult>("UploadResult")({
  campaign_id: Schema.String,
  leads_created: Schema.Int,
  /** Rows without a phone number, plus the rows of `skipped_rows`. */
  leads_skipped: Schema.Int,
  /** Present when some rows were skipped for a reason (the first 100 of them). */
  skipped_rows: Schema.optional(Schema.Array(SkippedRow)),
  message: Schema.String
}) {}

/** The answer to a suppression CSV upload. */
export class SuppressionUploadResult extends Schema.Class<SuppressionUploadResult>("SuppressionUploadResult")({
  /** Numbers newly suppressed. */
  suppressed: Schema.Int,
  /** Numbers that were suppressed already: their reason and expiry are the file's now. */
  updated: Schema.Int,
  /** Rows without a phone number. */
  skipped: Schema.Int,
  message: Schema.String
}) {}

export class Health extends Schema.Class<Health>("Health")({
  ok: Schema.Boolean,
  engine: Schema.Literal("sqlite", "pg"),
  version: Schema.String
}) {}

/** The answer of the readiness probe when the database answered. */
export class Readiness extends Schema.Class<Readiness>("Readiness")({
  status: Schema.Literal("ready")
}) {}
