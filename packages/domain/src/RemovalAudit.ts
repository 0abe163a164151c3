import { Schema } from "effect"
import { RemovedFrom } from "./CampaignLead.js"
import { ApiKeyId, CampaignId, LeadId, RemovalId } from "./Ids.js"
import { E164 } from "./Phone.js"

/**
 * The audit record of one removal as the wire shows it (docs/design.md §3, invariant 5): who
 * removed which lead, when, why, and where the lead was at that moment. Records are written by
 * the removal itself, in its transaction, and never changed or deleted; this is how a compliance
 * review reads them.
 */
export class RemovalAudit extends Schema.Class<RemovalAudit>("RemovalAudit")({
  id: RemovalId,
  lead_id: LeadId,
  campaign_id: CampaignId,
  /** The lead's number when it was removed (only a pending lead's number can change, so it is still the lead's). */
  phone_number: E164,
  removed_from: RemovedFrom,
  /** Dials made before the removal. */
  attempt: Schema.Int,
  /** True when the lead was removed during a call: the call went on to its natural end, no retry followed. */
  call_in_progress: Schema.Boolean,
  reason: Schema.NullOr(Schema.String),
  /** The API key that asked for the removal. */
  api_key_id: ApiKeyId,
  removed_at: Schema.Date
}) {}

/**
 * A removal leaves a call running exactly when it found the lead in a call (docs/design.md §3:
 * the call is not interrupted); every other removal takes the lead out before any dial.
 */
export const callInProgressOf = (removedFrom: RemovedFrom): boolean => removedFrom === "in_call"
