import { Schema } from "effect"
import { CallId, CallLogId, CampaignId, LeadId } from "./Ids.js"
import { E164 } from "./Phone.js"

/** `initiated` (written before the dial), `in_progress`, then one final status. */
export const CallLogStatus = Schema.Literal("initiated", "in_progress", "completed", "no_answer", "busy", "failed", "cancelled")
export type CallLogStatus = typeof CallLogStatus.Type

export const FinalCallStatus = Schema.Literal("completed", "no_answer", "busy", "failed", "cancelled")
export type FinalCallStatus = typeof FinalCallStatus.Type

export const isFinalCallStatus = (s: CallLogStatus): s is FinalCallStatus => s !== "initiated" && s !== "in_progress"

export const EndReason = Schema.Literal(
  "user_disconnected",
  "agent_disconnected",
  "user_did_not_pick_up",
  "user_busy",
  "user_unreachable",
  "invalid_phone_number",
  "network_failure",
  "worker_lost"
)
export type EndReason = typeof EndReason.Type

/** A call log as the wire shows it. Call logs are inserted, then updated; never deleted. */
export class CallLog extends Schema.Class<CallLog>("CallLog")({
  id: CallLogId,
  call_id: CallId,
  campaign_id: CampaignId,
  lead_id: LeadId,
  phone_number: E164,
  attempt: Schema.Int,
  status: CallLogStatus,
  end_reason: Schema.NullOr(EndReason),
  duration_seconds: Schema.NullOr(Schema.Number),
  started_at: Schema.NullOr(Schema.Date),
  ended_at: Schema.NullOr(Schema.Date),
  created_at: Schema.Date
}) {}

/** How a call ended, as the carrier (or recovery) reports it. */
export class CallOutcome extends Schema.Class<CallOutcome>("CallOutcome")({
  status: FinalCallStatus,
  end_reason: EndReason,
  /** When the callee answered; null when the call never connected. */
  connected_at: Schema.NullOr(Schema.DateFromSelf),
  ended_at: Schema.DateFromSelf,
  duration_seconds: Schema.Number
}) {}
