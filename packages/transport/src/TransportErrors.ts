import { Schema } from "effect"

/**
 * What can go wrong between the client and the gateway, as opposed to what the gateway answered
 * (those are the domain's own errors: `LeadNotFound`, `CampaignTerminal`, …). Each names the
 * request, so a message can be printed as is.
 */

/** The request could not be sent or no answer came back: refused, reset, DNS, a bad URL. */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  method: Schema.String,
  url: Schema.String,
  /** A short cause: `ECONNREFUSED`, `ECONNRESET`, `invalid URL`, … */
  reason: Schema.String,
  message: Schema.String
}) {
  static of(method: string, url: string, reason: string) {
    return new ConnectionError({ method, url, reason, message: `Cannot reach ${url} (${method}): ${reason}.` })
  }
}

/** No answer (status line and headers) within the timeout of one attempt. */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  method: Schema.String,
  url: Schema.String,
  timeout_ms: Schema.Number,
  message: Schema.String
}) {
  static of(method: string, url: string, timeoutMs: number) {
    return new RequestTimeout({
      method,
      url,
      timeout_ms: timeoutMs,
      message: `No answer from ${url} (${method}) within ${timeoutMs} ms.`
    })
  }
}

/**
 * An answer that is not in the contract: a status the endpoint does not declare (a proxy's 502,
 * a 503 after the last retry), or a body that does not decode (another server at that URL, or a
 * gateway of another version).
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  method: Schema.String,
  url: Schema.String,
  /** The HTTP status, when one was received. */
  status: Schema.optional(Schema.Number),
  /** The error `code` of the envelope, when the body was one. */
  code: Schema.optional(Schema.String),
  /**
   * How long the server asked to be left alone (its `Retry-After`, typically on a 503), when it
   * said: what a caller retrying a request the client does not retry on its own should wait.
   */
  retry_after_seconds: Schema.optional(Schema.Number),
  message: Schema.String
}) {}

export type TransportError = ConnectionError | RequestTimeout | UnexpectedResponse

export const isTransportError = (u: unknown): u is TransportError =>
  u instanceof ConnectionError || u instanceof RequestTimeout || u instanceof UnexpectedResponse
