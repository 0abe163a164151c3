import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { ApiFailure } from "./Envelope.js"
import { STATUS_OF, toEnvelope } from "./Envelope.js"

/**
 * The HTTP response of a failure: its status, the envelope as JSON, and the headers the status
 * calls for (`Retry-After` on 429, `Allow` on 405). The gateway answers every failure through
 * this one function.
 */
export const failureResponse = (failure: ApiFailure): HttpServerResponse.HttpServerResponse => {
  const headers: Record<string, string> = {}
  if (failure._tag === "RateLimited" || failure._tag === "IdempotencyKeyInUse") headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retry_after_seconds)))
  if (failure._tag === "MethodNotAllowed") headers["allow"] = failure.allowed.join(", ")
  return HttpServerResponse.unsafeJson(toEnvelope(failure), { status: STATUS_OF[failure._tag], headers })
}
