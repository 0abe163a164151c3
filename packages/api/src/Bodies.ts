import {
  AgentId,
  E164,
  MAX_BULK_REMOVAL,
  CallingWindow,
  CampaignInput,
  CampaignName,
  LeadInput,
  LeadPatchInput,
  MaxConcurrentCalls,
  RetryConfig,
  WebhookDescription,
  WebhookEventList,
  WebhookUrl
} from "@leadq/domain"
import { Schema } from "effect"
import { IdParam, ReasonParam } from "./Params.js"

/**
 * Request bodies. They reuse the domain's field schemas, and they are exact: a field the
 * contract does not name is a 400 (`notes: is not a known field`), never silently dropped, and
 * every problem is reported at once.
 */
const exact = { parseOptions: { onExcessProperty: "error", errors: "all" } } as const

/** `POST /v1/campaigns`. */
export const CampaignBody = CampaignInput.annotations({ identifier: "CampaignInput", ...exact })

/** `PATCH /v1/campaigns/{id}`: absent fields stay as they are; `status` pauses or resumes. */
export const CampaignPatchBody = Schema.Struct({
  name: Schema.optional(CampaignName),
  agent_id: Schema.optional(AgentId),
  max_concurrent_calls: Schema.optional(MaxConcurrentCalls),
  retry_config: Schema.optional(RetryConfig),
  calling_window: Schema.optional(Schema.NullOr(CallingWindow)),
  status: Schema.optional(Schema.Literal("paused", "running"))
}).annotations({ identifier: "CampaignPatch", ...exact })

/** `POST /v1/campaigns-leads`: camelCase, as the documented API has it. */
export const LeadCreateBody = Schema.Struct({
  campaignId: IdParam,
  ...LeadInput.fields
}).annotations({ identifier: "LeadCreate", ...exact })

/** `PATCH /v1/campaigns-leads/{id}`: `notes`, when given, replaces the notes whole. */
export const LeadPatchBody = LeadPatchInput.annotations({ identifier: "LeadPatch", ...exact })

/**
 * `POST /v1/campaigns-leads/bulk-remove` (a leadq extension): up to 1,000 lead ids, or up to
 * 1,000 phone numbers of one campaign, each removed exactly as `DELETE /v1/campaigns-leads/{id}`
 * would remove it.
 */
export const BulkRemoveBody = Schema.Struct({
  lead_ids: Schema.optional(Schema.Array(IdParam).pipe(
    Schema.minItems(1, { message: () => "must name at least one lead" }),
    Schema.maxItems(MAX_BULK_REMOVAL, { message: () => `must name at most ${MAX_BULK_REMOVAL} leads per request` })
  )),
  campaign_id: Schema.optional(IdParam),
  phone_numbers: Schema.optional(Schema.Array(E164).pipe(
    Schema.minItems(1, { message: () => "must name at least one phone number" }),
    Schema.maxItems(MAX_BULK_REMOVAL, { message: () => `must name at most ${MAX_BULK_REMOVAL} phone numbers per request` })
  )),
  reason: Schema.optional(ReasonParam),
  suppress: Schema.optional(Schema.Boolean.annotations({
    description: "Also suppress the numbers (those named, or those of the leads named), in the same transaction."
  }))
}).pipe(
  Schema.filter((body) => {
    if ((body.lead_ids === undefined) === (body.phone_numbers === undefined)) {
      return "send either lead_ids, or campaign_id with phone_numbers"
    }
    if (body.phone_numbers !== undefined && body.campaign_id === undefined) return "phone_numbers need a campaign_id"
    if (body.lead_ids !== undefined && body.campaign_id !== undefined) return "campaign_id goes with phone_numbers, not with lead_ids"
    return true
  })
).annotations({ identifier: "BulkRemove", ...exact })

/**
 * `POST /v1/suppressions`: one number, as `phone_number` in E.164 or as `phoneNumber` with an
 * optional `countryCode` (like a lead), an optional reason and an optional future expiry.
 */
export const SuppressionBody = Schema.Struct({
  phone_number: Schema.optional(Schema.String.pipe(Schema.maxLength(32, { message: () => "must be at most 32 characters" }))),
  phoneNumber: Schema.optional(Schema.String.pipe(Schema.maxLength(32, { message: () => "must be at most 32 characters" }))),
  countryCode: Schema.optional(Schema.String.pipe(Schema.maxLength(8, { message: () => "must be at most 8 characters" }))),
  reason: Schema.optional(ReasonParam.annotations({ description: "Why the number is suppressed, at most 500 characters." })),
  expires_at: Schema.optional(Schema.Date.annotations({ description: "When it stops being enforced (ISO 8601, in the future); never if absent." }))
}).annotations({ identifier: "SuppressionCreate", ...exact })

/** `POST /v1/webhooks`: where to send, which events; `enabled` defaults to true. */
export const WebhookCreateBody = Schema.Struct({
  url: WebhookUrl,
  events: WebhookEventList,
  description: Schema.optional(WebhookDescription),
  enabled: Schema.optional(Schema.Boolean.annotations({ description: "Whether events are sent (default true)." }))
}).annotations({ identifier: "WebhookCreate", ...exact })

/** `PATCH /v1/webhooks/{id}`: absent fields stay as they are; `description: null` clears it. */
export const WebhookPatchBody = Schema.Struct({
  url: Schema.optional(WebhookUrl),
  events: Schema.optional(WebhookEventList),
  description: Schema.optional(Schema.NullOr(WebhookDescription)),
  enabled: Schema.optional(Schema.Boolean)
}).pipe(
  Schema.filter((body) => Object.keys(body).length > 0 || "send at least one of url, events, description, enabled")
).annotations({ identifier: "WebhookPatch", ...exact })
