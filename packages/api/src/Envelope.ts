import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import {
  ApiKeyNotFound,
  CallLogNotFound,
  CampaignNotFound,
  CampaignTerminal,
  DuplicateLead,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  InvalidInput,
  InvalidTransition,
  LeadLocked,
  LeadNotFound,
  NumberSuppressed,
  RateLimited,
  SuppressionNotFound,
  Unauthorized,
  WebhookDeliveryNotFound,
  WebhookEndpointNotFound
} from "@leadq/domain"
import { Option, Schema } from "effect"
import {
  HeadersTooLarge,
  InternalError,
  MethodNotAllowed,
  PayloadTooLarge,
  RequestTimeout,
  RouteNotFound,
  ServiceUnavailable,
  UnsupportedMediaType
} from "./HttpFailures.js"

/**
 * The error envelope (DialNexa style) that every failure travels in:
 *
 *   {"statusCode": 404, "message": "Lead lead_… not found.", "error": "Not Found",
 *    "code": "LeadNotFound", "lead_id": "lead_…"}
 *
 * `code` is the tag of the error class and the other fields are that class's fields, so the
 * client rebuilds the very same tagged error on its side of the wire. Validation failures carry
 * `message` as an array of strings, one per problem.
 */
export interface Envelope {
  readonly statusCode: number
  readonly message: string | ReadonlyArray<string>
  readonly error: string
  readonly code: string
  readonly [detail: string]: unknown
}

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable"
}

export const reasonPhrase = (status: number): string => REASON_PHRASES[status] ?? "Error"

/** The envelope as a loose schema: what any failure body looks like, whatever its code. */
export const ErrorEnvelope = Schema.Struct(
  {
    statusCode: Schema.Int,
    message: Schema.Union(Schema.String, Schema.Array(Schema.String)),
    error: Schema.String,
    code: Schema.String
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "ErrorEnvelope" })

type TaggedErrorClass = Schema.Schema.AnyNoContext & {
  readonly fields: Schema.Struct.Fields
  readonly identifier: string
}

/**
 * The wire schema of one error class at one status: the envelope on the encoded side, the class
 * instance on the decoded side, and the status annotation the HTTP platform and OpenAPI read.
 */
const wireError = <C extends TaggedErrorClass>(cls: C, status: number, description: string): Schema.Schema<
  Schema.Schema.Type<C>,
  Envelope,
  never
> => {
  const { _tag, message, ...details } = cls.fields
  const tag = cls.identifier
  const phrase = reasonPhrase(status)
  // Field order is the order on the wire: the envelope first, then the error's own details.
  const Wire = Schema.Struct({
    statusCode: Schema.Literal(status),
    message: message!,
    error: Schema.Literal(phrase),
    code: Schema.Literal(tag),
    ...details
  }).annotations({ identifier: tag, description })
  return Schema.transform(Wire, cls, {
    strict: false,
    decode: ({ code: _code, error: _error, statusCode: _status, ...rest }) => ({ ...rest, _tag: tag }),
    encode: ({ _tag: _t, ...rest }) => ({ ...rest, statusCode: status, error: phrase, code: tag })
  }).annotations(HttpApiSchema.annotations({ status })) as never
}

/** 400: `message` is the list of problems, one readable line each (`name: must not be empty`). */
export const InvalidInputError: Schema.Schema<InvalidInput, Envelope, never> = Schema.transform(
  Schema.Struct({
    statusCode: Schema.Literal(400),
    message: Schema.Array(Schema.String),
    error: Schema.Literal("Bad Request"),
    code: Schema.Literal("InvalidInput")
  }).annotations({ identifier: "InvalidInput", description: "The request does not follow the contract; one message per problem." }),
  InvalidInput,
  {
    strict: true,
    decode: ({ message }) => ({ _tag: "InvalidInput" as const, message: message.join("; "), issues: message }),
    encode: ({ issues }) => ({ statusCode: 400 as const, message: issues, error: "Bad Request" as const, code: "InvalidInput" as const })
  }
).annotations(HttpApiSchema.annotations({ status: 400 })) as never

export const UnauthorizedError = wireError(Unauthorized, 401, "No API key, or an unknown, malformed or revoked one.")
export const RateLimitedError = wireError(RateLimited, 429, "Too many failed attempts; retry after `retry_after_seconds` (also in `Retry-After`).")
export const LeadNotFoundError = wireError(LeadNotFound, 404, "No such lead in this organization, or it was removed.")
export const CampaignNotFoundError = wireError(CampaignNotFound, 404, "No such campaign in this organization.")
export const CallLogNotFoundError = wireError(CallLogNotFound, 404, "No such call log in this organization.")
export const ApiKeyNotFoundError = wireError(ApiKeyNotFound, 404, "No such API key.")
export const CampaignTerminalError = wireError(CampaignTerminal, 409, "The campaign is completed or cancelled.")
export const LeadLockedError = wireError(LeadLocked, 409, "Only a pending lead can be changed.")
export const DuplicateLeadError = wireError(
  DuplicateLead,
  409,
  "The campaign already holds this phone number in a lead that is not removed (`lead_id`)."
)
export const InvalidTransitionError = wireError(InvalidTransition, 409, "The state machine does not allow this change from where it is now.")
export const IdempotencyKeyInUseError = wireError(
  IdempotencyKeyInUse,
  409,
  "A request with this Idempotency-Key is still in progress; retry after `retry_after_seconds` (also in `Retry-After`) for its answer."
)
export const IdempotencyKeyReusedError = wireError(
  IdempotencyKeyReused,
  422,
  "This Idempotency-Key was already used for a different request (method, path or body)."
)
/**
 * What a POST may answer when it carries an `Idempotency-Key` (docs/api.md §12): declared on each
 * POST endpoint of the contract (the header is ignored on other methods).
 */
export const IdempotencyErrors = Schema.Union(IdempotencyKeyInUseError, IdempotencyKeyReusedError)
export const SuppressionNotFoundError = wireError(SuppressionNotFound, 404, "The number is not suppressed in this organization (never, lifted, or expired).")
export const WebhookEndpointNotFoundError = wireError(WebhookEndpointNotFound, 404, "No such webhook endpoint in this organization, or it was deleted.")
export const NumberSuppressedError = wireError(NumberSuppressed, 409, "The number is on the organization's suppression list: it is never called.")
export const WebhookDeliveryNotFoundError = wireError(WebhookDeliveryNotFound, 404, "No such delivery of this webhook endpoint.")
export const RouteNotFoundError = wireError(RouteNotFound, 404, "No such route.")
export const MethodNotAllowedError = wireError(MethodNotAllowed, 405, "The route exists but does not take this method.")
export const PayloadTooLargeError = wireError(PayloadTooLarge, 413, "The request body is over the limit.")
export const UnsupportedMediaTypeError = wireError(UnsupportedMediaType, 415, "The request body is not of the expected Content-Type.")
export const InternalServerError = wireError(InternalError, 500, "A bug or an outage on the server; the details are in its log.")
export const HeadersTooLargeError = wireError(HeadersTooLarge, 431, "The request headers are over the server's limit.")
export const RequestTimeoutError = wireError(RequestTimeout, 408, "The request did not arrive in time.")
export const ServiceUnavailableError = wireError(ServiceUnavailable, 503, "The database is not answering; try another instance or later.")

/** Every failure that can cross the wire. */
export type ApiFailure =
  | InvalidInput
  | Unauthorized
  | RateLimited
  | LeadNotFound
  | CampaignNotFound
  | CallLogNotFound
  | ApiKeyNotFound
  | CampaignTerminal
  | LeadLocked
  | DuplicateLead
  | InvalidTransition
  | IdempotencyKeyInUse
  | IdempotencyKeyReused
  | SuppressionNotFound
  | NumberSuppressed
  | WebhookEndpointNotFound
  | WebhookDeliveryNotFound
  | RouteNotFound
  | MethodNotAllowed
  | PayloadTooLarge
  | UnsupportedMediaType
  | InternalError
  | HeadersTooLarge
  | RequestTimeout
  | ServiceUnavailable

const wireSchemas: ReadonlyArray<
  readonly [cls: abstract new(...args: never) => ApiFailure, tag: ApiFailure["_tag"], status: number, schema: Schema.Schema<ApiFailure, Envelope>]
> = [
  [InvalidInput, "InvalidInput", 400, InvalidInputError],
  [Unauthorized, "Unauthorized", 401, UnauthorizedError],
  [RateLimited, "RateLimited", 429, RateLimitedError],
  [LeadNotFound, "LeadNotFound", 404, LeadNotFoundError],
  [CampaignNotFound, "CampaignNotFound", 404, CampaignNotFoundError],
  [CallLogNotFound, "CallLogNotFound", 404, CallLogNotFoundError],
  [ApiKeyNotFound, "ApiKeyNotFound", 404, ApiKeyNotFoundError],
  [CampaignTerminal, "CampaignTerminal", 409, CampaignTerminalError],
  [LeadLocked, "LeadLocked", 409, LeadLockedError],
  [DuplicateLead, "DuplicateLead", 409, DuplicateLeadError],
  [InvalidTransition, "InvalidTransition", 409, InvalidTransitionError],
  [IdempotencyKeyInUse, "IdempotencyKeyInUse", 409, IdempotencyKeyInUseError],
  [IdempotencyKeyReused, "IdempotencyKeyReused", 422, IdempotencyKeyReusedError],
  [SuppressionNotFound, "SuppressionNotFound", 404, SuppressionNotFoundError],
  [NumberSuppressed, "NumberSuppressed", 409, NumberSuppressedError],
  [WebhookEndpointNotFound, "WebhookEndpointNotFound", 404, WebhookEndpointNotFoundError],
  [WebhookDeliveryNotFound, "WebhookDeliveryNotFound", 404, WebhookDeliveryNotFoundError],
  [RouteNotFound, "RouteNotFound", 404, RouteNotFoundError],
  [MethodNotAllowed, "MethodNotAllowed", 405, MethodNotAllowedError],
  [PayloadTooLarge, "PayloadTooLarge", 413, PayloadTooLargeError],
  [UnsupportedMediaType, "UnsupportedMediaType", 415, UnsupportedMediaTypeError],
  [InternalError, "InternalError", 500, InternalServerError],
  [HeadersTooLarge, "HeadersTooLarge", 431, HeadersTooLargeError],
  [RequestTimeout, "RequestTimeout", 408, RequestTimeoutError],
  [ServiceUnavailable, "ServiceUnavailable", 503, ServiceUnavailableError]
] as never

/** The one place that maps a failure to its HTTP status. */
export const STATUS_OF: Readonly<Record<ApiFailure["_tag"], number>> = Object.fromEntries(
  wireSchemas.map(([, tag, status]) => [tag, status])
) as never

const encoders = new Map(wireSchemas.map(([cls, tag, , schema]) => [tag, { cls, encode: Schema.encodeSync(schema) }]))

/** An instance of one of the failure classes (not merely something with the same tag). */
export const isApiFailure = (u: unknown): u is ApiFailure => {
  if (typeof u !== "object" || u === null || !("_tag" in u)) return false
  const entry = encoders.get((u as { _tag: ApiFailure["_tag"] })._tag)
  return entry !== undefined && u instanceof entry.cls
}

/** The envelope of a failure: what the gateway sends. */
export const toEnvelope = (failure: ApiFailure): Envelope => encoders.get(failure._tag)!.encode(failure)

/** Any envelope body, decoded back into the failure class it came from. */
export const ApiFailureFromEnvelope: Schema.Schema<ApiFailure, Envelope> = Schema.Union(...wireSchemas.map(([, , , s]) => s)) as never

const decodeEnvelope = Schema.decodeUnknownOption(ApiFailureFromEnvelope)

/**
 * What the client does with an error body: the tagged error it stands for, or `None` when the
 * body is not an envelope of a known code (then the status alone is all there is to go on).
 */
export const fromEnvelope = (body: unknown): Option.Option<ApiFailure> => decodeEnvelope(body)

/** True for a body shaped like the envelope, known code or not (wire-format checks). */
export const isEnvelope: (u: unknown) => u is typeof ErrorEnvelope.Type = Schema.is(ErrorEnvelope)
