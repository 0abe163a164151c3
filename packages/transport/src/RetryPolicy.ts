import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Duration } from "effect"

/**
 * When and how long to wait before trying a request again.
 *
 * Idempotent methods are retried (GET, HEAD, OPTIONS, PUT, DELETE): sending them twice leaves the
 * server as sending them once. A POST (create a campaign, add a lead, cancel, bulk-remove) is
 * sent with an `Idempotency-Key` (a random UUID, the same on each retry), so it is retried too:
 * the gateway runs one request per key and answers a repeat with the first answer (docs/api.md,
 * "Idempotency"). Not a POST whose body cannot be sent again byte for byte (a streamed upload, a
 * `FormData`). PATCH is not retried (HTTP does not promise it is idempotent).
 *
 * A DELETE of a lead is idempotent in effect: if its first answer was lost and the retry finds
 * the lead already gone, the retry answers 404 (`LeadNotFound`), which a caller removing leads
 * reads as "already removed".
 */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most `1 + maxRetries` attempts). Default 3. */
  readonly maxRetries: number
  /** The first backoff; it doubles with each retry. Default 200 ms. */
  readonly baseDelay: Duration.Duration
  /** The longest backoff between two attempts. Default 5 s. */
  readonly maxDelay: Duration.Duration
  /**
   * The longest `Retry-After` the client waits for. A server asking for more gets its 429 or 503
   * handed to the caller (as `RateLimited` or an unexpected response) instead. Default 60 s.
   */
  readonly maxRetryAfter: Duration.Duration
}

export interface RetryPolicyInput {
  readonly maxRetries?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelay: Duration.millis(200),
  maxDelay: Duration.seconds(5),
  maxRetryAfter: Duration.seconds(60)
}

export const retryPolicyOf = (input: RetryPolicyInput | undefined): RetryPolicy => ({
  maxRetries: Math.max(0, Math.floor(input?.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries)),
  baseDelay: input?.baseDelay === undefined ? DEFAULT_RETRY_POLICY.baseDelay : Duration.decode(input.baseDelay),
  maxDelay: input?.maxDelay === undefined ? DEFAULT_RETRY_POLICY.maxDelay : Duration.decode(input.maxDelay),
  maxRetryAfter: input?.maxRetryAfter === undefined ? DEFAULT_RETRY_POLICY.maxRetryAfter : Duration.decode(input.maxRetryAfter)
})

/** The request header naming one request across its retries. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key"

/**
 * The gateway's 409 for a key whose first request is still running (`IdempotencyKeyInUse`, with
 * `Retry-After`): worth another try, which gets the first request's answer. Other 409s carry no
 * `Retry-After` and are final.
 */
export const isKeyInUse = (request: HttpClientRequest.HttpClientRequest, response: HttpClientResponse.HttpClientResponse): boolean =>
  response.status === 409 && request.headers[IDEMPOTENCY_KEY_HEADER] !== undefined && response.headers["retry-after"] !== undefined

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

export const isIdempotent = (method: string): boolean => IDEMPOTENT.has(method.toUpperCase())

/** Worth another try: rate limited, or the server (or a proxy before it) failed. */
export const isRetryableStatus = (status: number): boolean => status === 429 || (status >= 500 && status !== 501 && status !== 505)

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
 * Undefined when absent or unreadable.
 */
export const retryAfterMillis = (header: string | undefined, nowMs: number): number | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * Exponential backoff with jitter ("equal jitter"): half of the step is fixed, half random, so
 * clients that failed together do not come back together, and none comes back at once.
 * `retry` counts from 0; `random` is in [0, 1).
 */
export const backoffMillis = (policy: RetryPolicy, retry: number, random: number): number => {
  const step = Math.min(Duration.toMillis(policy.maxDelay), Duration.toMillis(policy.baseDelay) * 2 ** retry)
  return step / 2 + (step / 2) * random
}

/**
 * The wait before retry number `retry` (from 0) after an answer with that status and
 * `Retry-After`; undefined when the server asks for longer than the policy is willing to wait.
 * A `Retry-After` is honoured as a minimum, with up to 10% of jitter on top.
 */
export const delayAfterStatus = (
  policy: RetryPolicy,
  retry: number,
  retryAfter: number | undefined,
  random: number
): number | undefined => {
  if (retryAfter === undefined) return backoffMillis(policy, retry, random)
  if (retryAfter > Duration.toMillis(policy.maxRetryAfter)) return undefined
  return retryAfter + retryAfter * 0.1 * random
}
