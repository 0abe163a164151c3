import {
  AgentId,
  CallingWindow,
  CampaignInput,
  CampaignName,
  LeadInput,
  LeadPatchInput,
  MaxConcurrentCalls,
  RetryConfig
} from "@leadq/domain"
import { Schema } from "effect"
import { IdParam } from "./Params.js"

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
