import { CallOutcome, EndReason, FinalCallStatus, LEADQ_SIGNATURE_HEADER, verifyLeadq } from "@leadq/domain"
import { Data, Either, Schema } from "effect"
import { createHmac, timingSafeEqual } from "node:crypto"

/**
 * The voice platform's `call_ended` webhook (DialNexa style), which tells the HTTP carrier
 * adapter how a call it placed ended. The platform signs the raw request body with HMAC-SHA256
 * under the shared webhook secret and sends `X-Signature: sha256=<hex digest>`. A platform may
 * instead sign the leadq way, `leadq-signature: t=…,v1=…` (the scheme leadq's own outgoing
 * webhooks use, `@leadq/domain` WebhookSignature.ts; docs/webhooks.md "Signatures"): either header
 * is accepted, the leadq one first when both are present.
 *
 *   { "event": "call_ended",
 *     "call": { "id": "<provider call id>", "status": "completed", "end_reason": "user_disconnected",
 *               "duration_seconds": 42, "started_at": "2026-…Z" | null, "ended_at": "2026-…Z" } }
 */
export const SIGNATURE_HEADER = "x-signature"

export const CallEndedPayload = Schema.Struct({
  event: Schema.Literal("call_ended"),
  call: Schema.Struct({
    id: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
    status: FinalCallStatus,
    end_reason: EndReason,
    duration_seconds: Schema.Number.pipe(Schema.nonNegative()),
    started_at: Schema.NullOr(Schema.Date),
    ended_at: Schema.Date
  })
})
export type CallEndedPayload = typeof CallEndedPayload.Type

export class WebhookRejected extends Data.TaggedError("WebhookRejected")<{
  readonly reason: "missing_signature" | "bad_signature" | "bad_payload"
  readonly message: string
}> {}

export const signBody = (secret: string, rawBody: string | Uint8Array): string =>
  "sha256=" + createHmac("sha256", secret).update(rawBody).digest("hex")

/** The signature headers of an inbound request, by their lower-case names. */
export interface InboundSignatureHeaders {
  readonly "x-signature"?: string | undefined
  readonly "leadq-signature"?: string | undefined
}

/**
 * Either scheme: `leadq-signature` (timestamped, checked against `nowMs` within the tolerance) when
 * present, else the DialNexa `X-Signature`.
 */
export const verifyInbound = (
  secret: string,
  rawBody: string | Uint8Array,
  headers: InboundSignatureHeaders,
  nowMs: number
): Either.Either<void, WebhookRejected> => {
  const leadq = headers[LEADQ_SIGNATURE_HEADER]
  if (leadq !== undefined && leadq.trim() !== "") {
    return Either.mapLeft(verifyLeadq(secret, rawBody, leadq, nowMs), (rejected) =>
      new WebhookRejected({
        reason: rejected.reason === "missing_signature" ? "missing_signature" : "bad_signature",
        message: rejected.message
      }))
  }
  return verifySignature(secret, rawBody, headers[SIGNATURE_HEADER])
}

/** Constant-time check of the `X-Signature` over the exact raw bytes received. */
export const verifySignature = (
  secret: string,
  rawBody: string | Uint8Array,
  header: string | undefined
): Either.Either<void, WebhookRejected> => {
  if (header === undefined || header.trim() === "") {
    return Either.left(new WebhookRejected({ reason: "missing_signature", message: `Missing ${SIGNATURE_HEADER} header.` }))
  }
  const expected = Buffer.from(signBody(secret, rawBody))
  const actual = Buffer.from(header.trim())
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return Either.left(new WebhookRejected({ reason: "bad_signature", message: "Webhook signature does not match." }))
  }
  return Either.right(undefined)
}

const decodePayload = Schema.decodeUnknownEither(Schema.parseJson(CallEndedPayload))

/**
 * Verify, then parse: the provider's call id and how the call ended. `signature` is the
 * `X-Signature` value alone, or the request's signature headers (either scheme, `verifyInbound`);
 * `nowMs` is the clock a `leadq-signature` timestamp is checked against.
 */
export const verifyCallEnded = (
  secret: string,
  rawBody: string,
  signature: string | undefined | InboundSignatureHeaders,
  nowMs: number = Date.now()
): Either.Either<{ readonly providerCallId: string; readonly outcome: CallOutcome }, WebhookRejected> =>
  Either.flatMap(
    typeof signature === "object" ? verifyInbound(secret, rawBody, signature, nowMs) : verifySignature(secret, rawBody, signature),
    () =>
    Either.match(decodePayload(rawBody), {
      onLeft: () => Either.left(new WebhookRejected({ reason: "bad_payload", message: "Not a call_ended event." })),
      onRight: ({ call }) =>
        Either.right({
          providerCallId: call.id,
          outcome: new CallOutcome({
            status: call.status,
            end_reason: call.end_reason,
            connected_at: call.started_at,
            ended_at: call.ended_at,
            duration_seconds: call.duration_seconds
          })
        })
    })
  )
