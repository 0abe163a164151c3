import { CallLog, Campaign, CampaignLead, PageMeta, RemovalAudit, Suppression, SuppressionLift, WebhookEndpoint } from "@leadq/domain"
import { Schema } from "effect"

/** `{data, meta}` of a list; the items are the domain's models, which are the wire shape. */
const pageOf = <A, I>(item: Schema.Schema<A, I>, identifier: string) =>
  Schema.Struct({ data: Schema.Array(item), meta: PageMeta }).annotations({ identifier })

export const CampaignPage = pageOf(Campaign, "CampaignPage")
export const CampaignLeadPage = pageOf(CampaignLead, "CampaignLeadPage")
export const CallLogPage = pageOf(CallLog, "CallLogPage")
export const RemovalAuditPage = pageOf(RemovalAudit, "RemovalAuditPage")
export const SuppressionPage = pageOf(Suppression, "SuppressionPage")
export const SuppressionLiftPage = pageOf(SuppressionLift, "SuppressionLiftPage")
export const WebhookEndpointPage = pageOf(WebhookEndpoint, "WebhookEndpointPage")

/** At most this many skipped rows are listed in an upload's answer; `skipped_unlisted` counts the rest. */
export const MAX_LISTED_SKIPS = 1_000

/** A row of an upload that was skipped although it has a valid number, and why. */
export class SkippedRow extends Schema.Class<SkippedRow>("SkippedRow")({
  /** The record number in the file (the header is row 1). */
  row: Schema.Int,
  phone_number: Schema.String,
  /**
   * `suppressed`: the number is on the organization's suppression list (checked first).
   * `duplicate`: a live lead of the campaign holds the number already, or an earlier row of the file has it.
   */
  reason: Schema.Literal("duplicate", "suppressed"),
  /** For `duplicate` only: the lead holding the number (for a repeat within the file, the lead made from its first row). */
  lead_id: Schema.optional(Schema.String)
}) {}

/** The answer to a CSV upload. */
export class UploadResult extends Schema.Class<UploadResult>("UploadResult")({
  campaign_id: Schema.String,
  leads_created: Schema.Int,
  /** Every row not added: without a phone number (counted only) or listed in `skipped` (a duplicate or suppressed number). */
  leads_skipped: Schema.Int,
  /** The first 1,000 rows skipped with a number, in file order. */
  skipped: Schema.Array(SkippedRow),
  /** Rows skipped with a number beyond the first 1,000 (not listed). */
  skipped_unlisted: Schema.Int,
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
