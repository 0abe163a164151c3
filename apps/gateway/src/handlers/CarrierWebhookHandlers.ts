import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { LeadqApi, RouteNotFound } from "@leadq/api"
import { CarrierEvents, InvalidInput, Unauthorized } from "@leadq/domain"
import { verifyCallEnded } from "@leadq/telephony"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import { GatewayConfig } from "../GatewayConfig.js"
import { WEBHOOK_PATH } from "../RequestPipeline.js"

/**
 * `call_ended` from the voice platform. The signature is checked over the exact raw body before
 * anything in it is believed; a rejected event records nothing. Without a configured secret the
 * route does not exist (404), so an unconfigured gateway cannot be fed forged call ends.
 */
export const CarrierWebhookHandlers = HttpApiBuilder.group(LeadqApi, "carrier", (handlers) =>
  Effect.gen(function*() {
    const config = yield* GatewayConfig
    const events = yield* CarrierEvents
    return handlers.handleRaw("callEnded", ({ request }) =>
      Effect.gen(function*() {
        if (Option.isNone(config.carrier_webhook_secret)) return yield* Effect.fail(RouteNotFound.of("POST", WEBHOOK_PATH))
        const raw = yield* Effect.orDie(request.text)
        // Either scheme: DialNexa's `X-Signature`, or leadq's own timestamped `leadq-signature`.
        const verified = verifyCallEnded(Redacted.value(config.carrier_webhook_secret.value), raw, {
          "x-signature": request.headers["x-signature"],
          "leadq-signature": request.headers["leadq-signature"]
        }, yield* Clock.currentTimeMillis)
        if (Either.isLeft(verified)) {
          const rejected = verified.left
          yield* Effect.logWarning("Carrier webhook rejected").pipe(Effect.annotateLogs("reason", rejected.reason))
          return yield* Effect.fail(
            rejected.reason === "bad_payload"
              ? InvalidInput.of(["body: is not a call_ended event"])
              : new Unauthorized({ message: rejected.message })
          )
        }
        yield* events.recordEnded(verified.right.providerCallId, verified.right.outcome)
        return HttpServerResponse.empty({ status: 204 })
      }))
  }))
