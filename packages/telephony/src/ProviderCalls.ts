import { CallOutcome, EndReason, FinalCallStatus } from "@leadq/domain"
import { Schema } from "effect"

/**
 * The call API of a DialNexa-style voice platform, as the HTTP carrier uses it:
 *
 *   POST {base}/v1/calls            Authorization: Bearer <key>, Idempotency-Key: <our call_id>
 *     { "to_number", "from_number", "agent_id", "external_id": <our call_id>,
 *       "dynamic_variables": { …the lead's notes }, "metadata": { lead_id, campaign_id, attempt } }
 *     → 200/201 ProviderCall   (a repeated external_id answers the call already placed)
 *   GET  {base}/v1/calls/{id}                  → ProviderCall | 404
 *   GET  {base}/v1/calls?external_id=<call_id> → { "data": [ProviderCall] }   (recovery)
 *
 * and, the other way, the signed `call_ended` webhook (see `CallEndedWebhook.ts`).
 */
export const ProviderCallStatus = Schema.Union(Schema.Literal("queued", "ringing", "in_progress"), FinalCallStatus)
export type ProviderCallStatus = typeof ProviderCallStatus.Type

export const ProviderCall = Schema.Struct({
  id: Schema.String.pipe(Schema.minLength(1)),
  external_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  status: ProviderCallStatus,
  end_reason: Schema.optionalWith(Schema.NullOr(EndReason), { default: () => null }),
  duration_seconds: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  started_at: Schema.optionalWith(Schema.NullOr(Schema.Date), { default: () => null }),
  ended_at: Schema.optionalWith(Schema.NullOr(Schema.Date), { default: () => null })
})
export type ProviderCall = typeof ProviderCall.Type

export const ProviderCallList = Schema.Struct({ data: Schema.Array(ProviderCall) })

export const CreateCallBody = Schema.Struct({
  to_number: Schema.String,
  from_number: Schema.String,
  agent_id: Schema.String,
  external_id: Schema.String,
  dynamic_variables: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean) }),
  metadata: Schema.Struct({ lead_id: Schema.String, campaign_id: Schema.String, attempt: Schema.Int })
})
export type CreateCallBody = typeof CreateCallBody.Type

const isFinal = Schema.is(FinalCallStatus)

/** The outcome a provider's record states, once the call is over. */
export const outcomeOfProviderCall = (call: ProviderCall, now: Date): CallOutcome | undefined => {
  if (!isFinal(call.status)) return undefined
  const status = call.status
  return new CallOutcome({
    status,
    end_reason: call.end_reason ??
      (status === "completed"
        ? "user_disconnected"
        : status === "no_answer"
        ? "user_did_not_pick_up"
        : status === "busy"
        ? "user_busy"
        : "network_failure"),
    connected_at: call.started_at,
    ended_at: call.ended_at ?? now,
    duration_seconds: call.duration_seconds ?? 0
  })
}
