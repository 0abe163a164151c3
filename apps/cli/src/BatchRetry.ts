import type { RetryPolicy } from "@leadq/transport"
import { DEFAULT_RETRY_POLICY, delayAfterStatus, isRetryableStatus } from "@leadq/transport"
import { Duration, Effect, Random } from "effect"

/**
 * Retries of one bulk-removal request, here rather than in the transport (which would retry a
 * keyed POST too) so that each retry is counted and shown. Each re-send carries the batch's
 * `Idempotency-Key` (RemoveMany.ts): a repeat of a request that did commit is answered with its
 * first answer. (Without the key it would still be safe: the bulk removal runs in one transaction
 * and a repeat answers `already_removed` for what the first removed.) Retried when it may not have reached the gateway, or may have
 * reached it and lost its answer: a connection error, a timeout, a 5xx (from the gateway or a
 * proxy before it), a 429 — with the transport's own policy (3 more attempts, jittered
 * exponential backoff, or the `Retry-After` of a 429 or a 503 when there is one). Anything the
 * gateway answered on purpose (400, 401, 404) is final.
 */

const messageOf = (e: unknown) =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" ? e.message : String(e)

/** What came back when nothing says the request was refused on its merits. */
export const isTransient = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  const e = error as { readonly _tag: unknown; readonly status?: unknown }
  switch (e._tag) {
    case "ConnectionError":
    case "RequestTimeout":
    case "InternalError":
    case "RateLimited":
      return true
    case "UnexpectedResponse":
      return typeof e.status === "number" && isRetryableStatus(e.status)
    default:
      return false
  }
}

/** The `Retry-After` the gateway (a 429: `RateLimited`) or a proxy before it (a 503) sent, in ms. */
const retryAfterOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null && "retry_after_seconds" in error && typeof error.retry_after_seconds === "number"
    ? error.retry_after_seconds * 1000
    : undefined

/**
 * `send`, again after a transient failure, at most `policy.maxRetries` more times; `onRetry`
 * hears of each retry before its wait (for the progress line and the summary).
 */
export const retryTransient = <A, E, R>(
  send: Effect.Effect<A, E, R>,
  onRetry: (error: E, retry: number, waitMs: number) => Effect.Effect<void>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY
): Effect.Effect<A, E, R> => {
  // The transport's own rule for the wait (`delayAfterStatus`): undefined when the server asks for
  // longer than the policy waits, and then the failure is the answer.
  const attempt = (retry: number): Effect.Effect<A, E, R> =>
    Effect.catchIf(send, (error) => retry < policy.maxRetries && isTransient(error) && delayAfterStatus(policy, retry, retryAfterOf(error), 0) !== undefined, (error) =>
      Effect.gen(function*() {
        const wait = delayAfterStatus(policy, retry, retryAfterOf(error), yield* Random.next) ?? 0
        yield* Effect.logDebug(`bulk removal: ${messageOf(error)} Retry ${retry + 1} of ${policy.maxRetries} in ${Math.round(wait)} ms.`)
        yield* onRetry(error, retry + 1, wait)
        yield* Effect.sleep(Duration.millis(wait))
        return yield* attempt(retry + 1)
      }))
  return attempt(0)
}
