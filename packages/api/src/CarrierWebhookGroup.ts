import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { EndReason, FinalCallStatus } from "@leadq/domain"
import { Schema } from "effect"
import { InvalidInputError, RouteNotFoundError, UnauthorizedError } from "./Envelope.js"

/**
 * The voice platform's `call_ended` event. Documented here for the reference; the gateway
 * verifies the `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` header against the exact
 * bytes received before it reads a single field.
 */
export const CallEndedEvent = Schema.Struct({
  event: Schema.Literal("call_ended"),
  call: Schema.Struct({
    id: Schema.String.annotations({ description: "The provider's call id." }),
    status: FinalCallStatus,
    end_reason: EndReason,
    duration_seconds: Schema.Number,
    started_at: Schema.NullOr(Schema.String),
    ended_at: Schema.String
  })
}).annotations({ identifier: "CallEndedEvent" })

export class CarrierWebhookGroup extends HttpApiGroup.make("carrier")
  .add(
    HttpApiEndpoint.post("callEnded", "/v1/carrier/webhooks/call-ended")
      .setHeaders(Schema.Struct({
        "x-signature": Schema.optional(Schema.String).annotations({ description: "sha256=<hex digest>" })
      }))
      .setPayload(CallEndedEvent)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(UnauthorizedError)
      .addError(InvalidInputError)
      .addError(RouteNotFoundError)
      .annotate(OpenApi.Summary, "Carrier webhook: a call ended (signed, no API key)")
      .annotate(
        OpenApi.Description,
        "Not authenticated by an API key but by its signature: HMAC-SHA256 of the raw body under " +
          "`LEADQ_CARRIER_WEBHOOK_SECRET`. A missing or wrong signature is a 401 and nothing is recorded. " +
          "When the secret is not configured the route answers 404."
      )
  )
  .annotate(OpenApi.Title, "Carrier webhooks")
{}
