import { Schema, Struct } from "effect"
import { CallLog } from "./CallLog.js"
import { CampaignStatus } from "./Campaign.js"
import { RemovedFrom } from "./CampaignLead.js"
import { ApiKeyId, CampaignId, EventId, LeadId } from "./Ids.js"
import { E164 } from "./Phone.js"
import { SuppressionLift } from "./Suppression.js"

/**
 * The events an organization's webhook endpoints can ask for (docs/webhooks.md, "Events and
 * payloads"). Each is appended to the outbox in the transaction that makes the change it
 * describes (docs/design.md §3, the outbox), so an event exists if and only if its change
 * committed. An event's `data` is one of the Schemas below; its wire form (dates as ISO-8601
 * strings) is what the outbox stores, as JSON text, and what a receiver gets under `data`.
 */

/** A lead left its queue: by `DELETE /v1/campaigns-leads/{id}`, a bulk removal, or the dial re-check of a suppressed number. */
export const LeadRemovedData = Schema.Struct({
  lead_id: LeadId,
  campaign_id: CampaignId,
  phone_number: E164,
  removed_from: RemovedFrom,
  /** True when the lead's call was under way: it is not cut, and ends with a `call.ended`. */
  call_in_progress: Schema.Boolean,
  /** The removal's reason; `suppressed` for the dial re-check. */
  reason: Schema.NullOr(Schema.String),
  /** The API key that removed it (for the dial re-check: the key that suppressed the number). */
  api_key_id: ApiKeyId,
  removed_at: Schema.Date
}).annotations({ identifier: "LeadRemovedData" })

/**
 * A number was put on (or renewed on) the organization's suppression list: `POST /v1/suppressions`,
 * the CSV upload, or a removal with `suppress=true` (which names the lead and its campaign).
 */
export const LeadSuppressedData = Schema.Struct({
  phone_number: E164,
  reason: Schema.NullOr(Schema.String),
  /** When it stops being enforced; null: never. */
  expires_at: Schema.NullOr(Schema.Date),
  api_key_id: ApiKeyId,
  /** The lead removed with the suppression (`suppress=true`); null otherwise. */
  lead_id: Schema.NullOr(LeadId),
  /** That lead's campaign (for a bulk removal by numbers, the campaign named); null otherwise. */
  campaign_id: Schema.NullOr(CampaignId),
  suppressed_at: Schema.Date
}).annotations({ identifier: "LeadSuppressedData" })

/** A suppression was lifted (`DELETE /v1/suppressions/{phone}`): the number may be called again. */
export const SuppressionLiftedData = Schema.Struct(Struct.omit(SuppressionLift.fields, "id")).annotations({
  identifier: "SuppressionLiftedData"
})

/** A campaign's status changed: pause, resume, cancel (API) or completion (its queue drained). */
export const CampaignStatusChangedData = Schema.Struct({
  campaign_id: CampaignId,
  from: CampaignStatus,
  to: CampaignStatus,
  changed_at: Schema.Date
}).annotations({ identifier: "CampaignStatusChangedData" })

/**
 * Event type → the Schema of its `data`. `call.started` and `call.ended` carry the call log
 * exactly as `GET /v1/call-logs/{id}` answers it (the same Schema, so the same encoding): at the
 * start `initiated`, at the end with its final status, end reason and duration.
 */
export const WebhookEventData = {
  "lead.removed": LeadRemovedData,
  "lead.suppressed": LeadSuppressedData,
  "suppression.lifted": SuppressionLiftedData,
  "call.started": CallLog,
  "call.ended": CallLog,
  "campaign.status_changed": CampaignStatusChangedData
} as const

export type WebhookEventType = keyof typeof WebhookEventData

export const WEBHOOK_EVENT_TYPES = Object.keys(WebhookEventData) as ReadonlyArray<WebhookEventType>

const KNOWN_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES)

/**
 * A known event type. A refined string rather than a union of literals, so an unknown type is
 * one readable problem (`must be one of …`), not one line per known type.
 */
export const WebhookEventType = Schema.String.pipe(
  Schema.filter((s): s is WebhookEventType => KNOWN_TYPES.has(s), {
    message: () => `must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}`,
    jsonSchema: { enum: WEBHOOK_EVENT_TYPES }
  })
).annotations({ identifier: "WebhookEventType", description: "An event type: " + WEBHOOK_EVENT_TYPES.join(", ") + "." })

/** The wire form of an event's data (what the outbox stores as JSON text). */
export type WebhookEventPayload<T extends WebhookEventType> = Schema.Schema.Encoded<(typeof WebhookEventData)[T]>

/**
 * An event to append to the outbox, in its wire form: built by the store from values it has just
 * written, so it is not validated again on the hot paths (the types keep it right).
 */
export type PendingEvent = {
  readonly [T in WebhookEventType]: {
    readonly organization_id: string
    readonly type: T
    readonly data: WebhookEventPayload<T>
  }
}[WebhookEventType]

/**
 * What a receiver gets: `{"id", "type", "created_at", "data"}` (docs/webhooks.md). `id` is the
 * outbox row's id, the same on every attempt (de-duplicate on it); `created_at` is the commit's
 * clock.
 */
const envelopeOf = <T extends WebhookEventType>(type: T) =>
  Schema.Struct({
    id: EventId,
    type: Schema.Literal(type),
    created_at: Schema.Date,
    data: WebhookEventData[type] as (typeof WebhookEventData)[T]
  })

export const WebhookEvent = Schema.Union(
  envelopeOf("lead.removed"),
  envelopeOf("lead.suppressed"),
  envelopeOf("suppression.lifted"),
  envelopeOf("call.started"),
  envelopeOf("call.ended"),
  envelopeOf("campaign.status_changed")
).annotations({ identifier: "WebhookEvent" })
export type WebhookEvent = typeof WebhookEvent.Type
