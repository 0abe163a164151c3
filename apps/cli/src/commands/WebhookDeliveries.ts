import { WebhookDelivery } from "@leadq/domain"
import { LeadqClient } from "@leadq/transport"
import { Effect, Option, Schema } from "effect"
import type { ConnectionFlags } from "../Connection.js"
import type { PageFlags } from "../Gateway.js"
import { pagingOf, withGateway } from "../Gateway.js"
import { listing } from "../Listing.js"
import type { Paint } from "../Output.js"
import { clip, Output, status, when } from "../Output.js"

/** `leadq webhooks deliveries` and `leadq webhooks resend` (docs/webhooks.md "Deliveries API"; docs/cli.md). */
const encodeDelivery = Schema.encodeSync(WebhookDelivery)

const deliveryRow = (d: WebhookDelivery, p: Paint) => [
  d.id,
  d.event_type,
  d.event_id,
  status(p, d.status),
  String(d.attempts),
  d.response_status === null ? "" : String(d.response_status),
  d.status === "pending" && d.next_attempt_at !== null ? `next ${when(d.next_attempt_at)}` : d.completed_at === null ? "" : when(d.completed_at),
  clip(d.last_error ?? "")
]

export interface DeliveriesFlags extends ConnectionFlags, PageFlags {
  readonly endpoint: string
  readonly status: Option.Option<"pending" | "delivered" | "failed">
}

export const deliveries = (flags: DeliveriesFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const paging = yield* pagingOf(flags)
    const only = Option.getOrUndefined(flags.status)
    yield* listing({
      paging,
      noun: "deliveries",
      fetch: (page, limit) =>
        leadq.webhookDeliveries.list({ path: { id: flags.endpoint }, urlParams: { page, limit, ...(only !== undefined ? { status: only } : {}) } }),
      headers: ["DELIVERY", "EVENT TYPE", "EVENT", "STATUS", "ATTEMPTS", "HTTP", "WHEN", "LAST ERROR"],
      row: deliveryRow,
      json: encodeDelivery
    })
  }))

export interface ResendFlags extends ConnectionFlags {
  readonly endpoint: string
  readonly delivery: string
}

export const resend = (flags: ResendFlags) =>
  withGateway(flags, Effect.gen(function*() {
    const leadq = yield* LeadqClient
    const delivery = yield* leadq.webhookDeliveries.resend({ path: { id: flags.endpoint, deliveryId: flags.delivery } })
    const output = yield* Output
    if (output.json) return yield* output.jsonLine(encodeDelivery(delivery))
    yield* output.line(
      `Queued ${output.paint.bold(delivery.id)} again: event ${delivery.event_id} (${delivery.event_type}) is sent with the same id, ahead of the endpoint's later events.`
    )
  }))
