import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { PageMeta, WebhookDelivery, WebhookDeliveryStatus } from "@leadq/domain"
import { Schema } from "effect"
import { IdempotencyErrors, WebhookDeliveryNotFoundError, WebhookEndpointNotFoundError } from "./Envelope.js"
import { IdParam, PageParams } from "./Params.js"
import { Authentication } from "./Security.js"

export const WebhookDeliveryPage = Schema.Struct({ data: Schema.Array(WebhookDelivery), meta: PageMeta }).annotations({
  identifier: "WebhookDeliveryPage"
})

export const WebhookDeliveryFilters = Schema.Struct({
  ...PageParams,
  status: Schema.optional(WebhookDeliveryStatus)
})

/**
 * The delivery side of outgoing webhooks (docs/webhooks.md "Deliveries API"): what was sent to
 * an endpoint and how it went, and a re-send. The endpoints themselves are `/v1/webhooks`.
 */
export class WebhookDeliveriesGroup extends HttpApiGroup.make("webhookDeliveries")
  .add(
    HttpApiEndpoint.get("list", "/v1/webhooks/:id/deliveries")
      .setPath(Schema.Struct({ id: IdParam }))
      .setUrlParams(WebhookDeliveryFilters)
      .addSuccess(WebhookDeliveryPage)
      .addError(WebhookEndpointNotFoundError)
      .annotate(OpenApi.Summary, "An endpoint's deliveries, newest event first")
      .annotate(OpenApi.Description, "Filter with `status` (pending, delivered, failed). Kept for `LEADQ_WEBHOOK_RETENTION_MS` after they end.")
  )
  .add(
    HttpApiEndpoint.post("resend", "/v1/webhooks/:id/deliveries/:deliveryId/resend")
      .setPath(Schema.Struct({ id: IdParam, deliveryId: IdParam }))
      .addSuccess(WebhookDelivery.pipe(HttpApiSchema.withEncoding({ kind: "Json" })), { status: 202 })
      .addError(WebhookEndpointNotFoundError)
      .addError(WebhookDeliveryNotFoundError)
      .addError(IdempotencyErrors)
      .annotate(OpenApi.Summary, "Send a delivery again")
      .annotate(
        OpenApi.Description,
        "Queues the same event again (same event id, so receivers that de-duplicate ignore a copy they have): " +
          "the delivery is pending and due now, with a fresh retry life, and keeps its place in the endpoint's order."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Webhook deliveries")
{}
