import { Schema } from "effect"

/**
 * One delivery of one event to one webhook endpoint, as `GET /v1/webhooks/{id}/deliveries`
 * answers it (docs/webhooks.md "Deliveries API"). `pending` until the receiver answers 2xx
 * (`delivered`) or its retries run out (`failed`).
 */
export const WebhookDeliveryStatus = Schema.Literal("pending", "delivered", "failed")
export type WebhookDeliveryStatus = typeof WebhookDeliveryStatus.Type

export class WebhookDelivery extends Schema.Class<WebhookDelivery>("WebhookDelivery")({
  id: Schema.String,
  webhook_id: Schema.String,
  /** The event's id, the same at every attempt and re-send: what receivers de-duplicate on. */
  event_id: Schema.String,
  event_type: Schema.String,
  status: WebhookDeliveryStatus,
  attempts: Schema.Int,
  /** When its retry life started: the event's time, or the last re-send. */
  queued_at: Schema.Date,
  /** For a pending delivery, when it is tried next (or first); null once delivered or failed. */
  next_attempt_at: Schema.NullOr(Schema.Date),
  last_attempt_at: Schema.NullOr(Schema.Date),
  /** The HTTP status of the last answer; null when there was none (timeout, connection refused). */
  response_status: Schema.NullOr(Schema.Int),
  last_error: Schema.NullOr(Schema.String),
  completed_at: Schema.NullOr(Schema.Date)
}) {}

/** No such delivery of that webhook endpoint. */
export class WebhookDeliveryNotFound extends Schema.TaggedError<WebhookDeliveryNotFound>()("WebhookDeliveryNotFound", {
  delivery_id: Schema.String,
  message: Schema.String
}) {
  static of(delivery_id: string) {
    return new WebhookDeliveryNotFound({ delivery_id, message: `Delivery ${delivery_id} not found.` })
  }
}
