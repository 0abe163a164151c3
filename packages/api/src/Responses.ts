import { CallLog, Campaign, CampaignLead, PageMeta, RemovalAudit } from "@leadq/domain"
import { Schema } from "effect"

/** `{data, meta}` of a list; the items are the domain's models, which are the wire shape. */
const pageOf = <A, I>(item: Schema.Schema<A, I>, identifier: string) =>
  Schema.Struct({ data: Schema.Array(item), meta: PageMeta }).annotations({ identifier })

export const CampaignPage = pageOf(Campaign, "CampaignPage")
export const CampaignLeadPage = pageOf(CampaignLead, "CampaignLeadPage")
export const CallLogPage = pageOf(CallLog, "CallLogPage")
export const RemovalAuditPage = pageOf(RemovalAudit, "RemovalAuditPage")

/** The answer to a CSV upload. */
export class UploadResult extends Schema.Class<UploadResult>("UploadResult")({
  campaign_id: Schema.String,
  leads_created: Schema.Int,
  leads_skipped: Schema.Int,
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
