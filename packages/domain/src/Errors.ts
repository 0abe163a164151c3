import { Schema } from "effect"

/**
 * Every failure a caller can act on. The gateway maps each to one HTTP status (in
 * `@leadq/api`), the transport client turns the wire envelope back into the same class, and the
 * worker and CLI fail with these very types: `Effect.catchTag("LeadNotFound", …)` works on
 * either side of the wire.
 */

export class LeadNotFound extends Schema.TaggedError<LeadNotFound>()("LeadNotFound", {
  lead_id: Schema.String,
  message: Schema.String
}) {
  static of(lead_id: string) {
    return new LeadNotFound({ lead_id, message: `Lead ${lead_id} not found.` })
  }
}

export class CampaignNotFound extends Schema.TaggedError<CampaignNotFound>()("CampaignNotFound", {
  campaign_id: Schema.String,
  message: Schema.String
}) {
  static of(campaign_id: string) {
    return new CampaignNotFound({ campaign_id, message: `Campaign ${campaign_id} not found.` })
  }
}

export class CallLogNotFound extends Schema.TaggedError<CallLogNotFound>()("CallLogNotFound", {
  call_log_id: Schema.String,
  message: Schema.String
}) {
  static of(call_log_id: string) {
    return new CallLogNotFound({ call_log_id, message: `Call log ${call_log_id} not found.` })
  }
}

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  api_key_id: Schema.String,
  message: Schema.String
}) {
  static of(api_key_id: string) {
    return new ApiKeyNotFound({ api_key_id, message: `API key ${api_key_id} not found.` })
  }
}

/** The campaign is completed or cancelled: nothing about its queue may change any more. */
export class CampaignTerminal extends Schema.TaggedError<CampaignTerminal>()("CampaignTerminal", {
  campaign_id: Schema.String,
  status: Schema.String,
  message: Schema.String
}) {
  static of(campaign_id: string, status: string) {
    return new CampaignTerminal({ campaign_id, status, message: `Campaign ${campaign_id} is ${status}.` })
  }
}

/** The lead is being called or has been called, so its details can no longer be corrected. */
export class LeadLocked extends Schema.TaggedError<LeadLocked>()("LeadLocked", {
  lead_id: Schema.String,
  status: Schema.String,
  message: Schema.String
}) {
  static of(lead_id: string, status: string) {
    return new LeadLocked({
      lead_id,
      status,
      message: `Lead ${lead_id} is ${status}; only a pending lead can be changed.`
    })
  }
}

/** A state change that the state machine does not allow from where the thing is now. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  entity: Schema.Literal("lead", "campaign"),
  id: Schema.String,
  from: Schema.String,
  action: Schema.String,
  message: Schema.String
}) {
  static of(entity: "lead" | "campaign", id: string, from: string, action: string, why?: string) {
    return new InvalidTransition({
      entity,
      id,
      from,
      action,
      message: why ?? `Cannot ${action} ${entity} ${id}: it is ${from}.`
    })
  }
}

/** Input that breaks a rule of the domain: one message per problem, naming the field. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  issues: Schema.Array(Schema.String)
}) {
  static of(issues: ReadonlyArray<string>) {
    return new InvalidInput({ message: issues.join("; "), issues: [...issues] })
  }
}

/** No API key, an unknown one, a malformed one or a revoked one. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String
}) {}

/** Too many requests (failed key attempts, mostly); try again after the given number of seconds. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  retry_after_seconds: Schema.Number,
  message: Schema.String
}) {}

/**
 * The worker's last re-check before dialling found that the dial must not happen: the lead was
 * removed, its number suppressed (the re-check removes it), or its campaign was paused or
 * cancelled, after the claim.
 */
export class DialCancelled extends Schema.TaggedError<DialCancelled>()("DialCancelled", {
  lead_id: Schema.String,
  reason: Schema.Literal("lead_removed", "number_suppressed", "campaign_paused", "campaign_cancelled", "campaign_completed"),
  message: Schema.String
}) {
  static of(lead_id: string, reason: DialCancelled["reason"]) {
    return new DialCancelled({ lead_id, reason, message: `Dial of lead ${lead_id} cancelled: ${reason}.` })
  }
}

/**
 * Fencing: the claim this worker holds is no longer the lead's current claim (its lease ran out
 * and the lead was recovered by someone else). None of the holder's writes may land.
 */
export class StaleClaim extends Schema.TaggedError<StaleClaim>()("StaleClaim", {
  lead_id: Schema.String,
  claim_id: Schema.String,
  message: Schema.String
}) {
  static of(lead_id: string, claim_id: string) {
    return new StaleClaim({ lead_id, claim_id, message: `Claim ${claim_id} on lead ${lead_id} is no longer current.` })
  }
}

/**
 * An `Idempotency-Key` already used by this organization, within its 24 h, for another request
 * (another method, path or body): the key names one request, so the new one is refused, not run.
 */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  idempotency_key: Schema.String,
  message: Schema.String
}) {
  static of(idempotency_key: string) {
    return new IdempotencyKeyReused({
      idempotency_key,
      message: `Idempotency-Key ${JSON.stringify(idempotency_key)} was already used for a different request (method, path or body); use a new key for a new request.`
    })
  }
}

/**
 * The request holding this `Idempotency-Key` is still running (another connection, maybe another
 * gateway): its answer is not known yet. Retry after `retry_after_seconds` to get it replayed.
 */
export class IdempotencyKeyInUse extends Schema.TaggedError<IdempotencyKeyInUse>()("IdempotencyKeyInUse", {
  idempotency_key: Schema.String,
  retry_after_seconds: Schema.Number,
  message: Schema.String
}) {
  static of(idempotency_key: string) {
    return new IdempotencyKeyInUse({
      idempotency_key,
      retry_after_seconds: 1,
      message: `A request with Idempotency-Key ${JSON.stringify(idempotency_key)} is still in progress; retry in 1 s to get its answer.`
    })
  }
}

/**
 * A campaign holds a phone number once while the lead that holds it is not removed: a second
 * lead with the number (an add, or a correction to it) names the one already there.
 */
export class DuplicateLead extends Schema.TaggedError<DuplicateLead>()("DuplicateLead", {
  lead_id: Schema.String,
  campaign_id: Schema.String,
  phone_number: Schema.String,
  message: Schema.String
}) {
  static of(lead_id: string, campaign_id: string, phone_number: string) {
    return new DuplicateLead({
      lead_id,
      campaign_id,
      phone_number,
      message: `Campaign ${campaign_id} already holds ${phone_number} (lead ${lead_id}); remove that lead first to add the number again.`
    })
  }
}

/** No active suppression of this number in the caller's organization (never suppressed, lifted, or expired). */
export class SuppressionNotFound extends Schema.TaggedError<SuppressionNotFound>()("SuppressionNotFound", {
  phone_number: Schema.String,
  message: Schema.String
}) {
  static of(phone_number: string) {
    return new SuppressionNotFound({ phone_number, message: `${phone_number} is not suppressed.` })
  }
  /** For the lift history: the organization has no record of the number at all. */
  static never(phone_number: string) {
    return new SuppressionNotFound({ phone_number, message: `${phone_number} was never suppressed: it has no suppression and no lift.` })
  }
}

/** The number is on the organization's suppression list: no lead with it may be added or dialled. */
export class NumberSuppressed extends Schema.TaggedError<NumberSuppressed>()("NumberSuppressed", {
  phone_number: Schema.String,
  message: Schema.String
}) {
  static of(phone_number: string) {
    return new NumberSuppressed({ phone_number, message: `${phone_number} is suppressed in this organization; it is never called.` })
  }
}

export class WebhookEndpointNotFound extends Schema.TaggedError<WebhookEndpointNotFound>()("WebhookEndpointNotFound", {
  webhook_id: Schema.String,
  message: Schema.String
}) {
  static of(webhook_id: string) {
    return new WebhookEndpointNotFound({ webhook_id, message: `Webhook endpoint ${webhook_id} not found.` })
  }
}
