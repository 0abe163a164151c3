import type * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Redacted } from "effect"
import { Clock, Duration, Effect, FiberRef, Option, Random } from "effect"
import type { RetryPolicy } from "./RetryPolicy.js"
import {
  backoffMillis,
  delayAfterStatus,
  IDEMPOTENCY_KEY_HEADER,
  isIdempotent,
  isKeyInUse,
  isRetryableStatus,
  retryAfterMillis
} from "./RetryPolicy.js"
import { ConnectionError, RequestTimeout } from "./TransportErrors.js"

/**
 * The HTTP client under the typed client: the API key on every request, a timeout per attempt,
 * an `Idempotency-Key` on every POST, and retries of idempotent requests and of keyed POSTs (see
 * `RetryPolicy`). Connection failures and timeouts
 * leave it as `ConnectionError` / `RequestTimeout`; answers, whatever their status, are handed
 * up for the derived client to decode (the last one, when retries ran out).
 */
export interface ResilientOptions {
  readonly apiKey: Redacted.Redacted<string>
  /** Time to the answer's status line and headers, per attempt. */
  readonly timeout: Duration.Duration
  readonly retry: RetryPolicy
  readonly userAgent: string
}

/**
 * Per-call adjustments of the request the derived client builds, set with `FiberRef.locally`
 * around one call: a conditional header (`If-None-Match`), a streamed body in place of the
 * `FormData` the derived client only knows how to send, a longer timeout for an upload.
 */
export interface RequestTweaks {
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: HttpBody.HttpBody | undefined
  readonly timeout?: Duration.Duration | undefined
  /** Retries of this call, over the policy's (0: a caller that retries the call itself). */
  readonly maxRetries?: number | undefined
}

export const requestTweaks: FiberRef.FiberRef<RequestTweaks> = FiberRef.unsafeMake<RequestTweaks>({})

/** The last exchange of this fiber, so that a body that fails to decode can be reported with its status. */
export interface Exchange {
  readonly method: string
  readonly url: string
  readonly response: HttpClientResponse.HttpClientResponse
}

/**
 * Runs one client call (a POST) under this `Idempotency-Key` rather than a fresh one. With
 * `retry: false` the transport does not retry it: for a caller that retries the call itself, each
 * time with the same key, and counts its retries (the CLI's batches).
 */
export const withIdempotencyKey = (key: string, options: { readonly retry?: boolean } = {}) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(self, requestTweaks, {
    headers: { [IDEMPOTENCY_KEY_HEADER]: key },
    ...(options.retry === false ? { maxRetries: 0 } : {})
  })

export const lastExchange: FiberRef.FiberRef<Option.Option<Exchange>> = FiberRef.unsafeMake<Option.Option<Exchange>>(Option.none())

/** The most telling code in a `fetch` failure's cause chain (`ECONNREFUSED`, `UND_ERR_SOCKET`, …). */
const reasonOf = (error: HttpClientError.RequestError): string => {
  if (error.reason === "InvalidUrl") return "invalid URL"
  if (error.reason === "Encode") return "the request body could not be encoded"
  let cause: unknown = error.cause
  for (let depth = 0; depth < 6 && cause !== undefined && cause !== null; depth++) {
    const c = cause as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    if (typeof c.code === "string") return c.code
    if (c.cause === undefined && typeof c.message === "string") return c.message
    cause = c.cause
  }
  return "connection failed"
}

const discardBody = (response: HttpClientResponse.HttpClientResponse) => Effect.ignore(response.arrayBuffer)

const attemptsOf = (
  execute: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
  request: HttpClientRequest.HttpClientRequest,
  options: ResilientOptions
) =>
  Effect.gen(function*() {
    const tweaks = yield* FiberRef.get(requestTweaks)
    const timeout = tweaks.timeout ?? options.timeout
    const { method, url } = request
    const policy = tweaks.maxRetries === undefined ? options.retry : { ...options.retry, maxRetries: tweaks.maxRetries }
    // A keyed POST is sent again with its key, which the gateway answers with the first answer:
    // only when the body is bytes in memory, sent again the same (a stream is read once; a
    // FormData gets a new multipart boundary each time it is sent).
    const retryable = isIdempotent(method) ||
      (request.headers[IDEMPOTENCY_KEY_HEADER] !== undefined && (request.body._tag === "Uint8Array" || request.body._tag === "Empty"))

    const once = execute.pipe(
      Effect.timeoutFail({ duration: timeout, onTimeout: () => RequestTimeout.of(method, url, Duration.toMillis(timeout)) })
    )

    const loop = (retry: number): Effect.Effect<
      HttpClientResponse.HttpClientResponse,
      ConnectionError | RequestTimeout | HttpClientError.ResponseError
    > =>
      Effect.matchEffect(once, {
        onFailure: (error) => {
          const isTransient = error instanceof RequestTimeout || (error._tag === "RequestError" && error.reason === "Transport")
          const failure = error._tag === "RequestError" ? ConnectionError.of(method, url, reasonOf(error)) : error
          if (!retryable || !isTransient || retry >= policy.maxRetries) return Effect.fail(failure)
          return Effect.gen(function*() {
            const wait = backoffMillis(policy, retry, yield* Random.next)
            yield* Effect.logDebug(`${method} ${url}: ${failure.message} Retry ${retry + 1} of ${policy.maxRetries} in ${Math.round(wait)} ms.`)
            yield* Effect.sleep(Duration.millis(wait))
            return yield* loop(retry + 1)
          })
        },
        onSuccess: (response) => {
          const again = isRetryableStatus(response.status) || isKeyInUse(request, response)
          if (!retryable || retry >= policy.maxRetries || !again) return Effect.succeed(response)
          return Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const wait = delayAfterStatus(policy, retry, retryAfterMillis(response.headers["retry-after"], now), yield* Random.next)
            // The server asks for a longer wait than we are willing to make: its answer is the answer.
            if (wait === undefined) return response
            yield* discardBody(response)
            yield* Effect.logDebug(`${method} ${url}: HTTP ${response.status}. Retry ${retry + 1} of ${policy.maxRetries} in ${Math.round(wait)} ms.`)
            yield* Effect.sleep(Duration.millis(wait))
            return yield* loop(retry + 1)
          })
        }
      })

    const response = yield* loop(0)
    yield* FiberRef.set(lastExchange, Option.some({ method, url, response }))
    return response
  })

export const resilientClient = (
  client: HttpClient.HttpClient,
  options: ResilientOptions
): HttpClient.HttpClient.With<HttpClientError.HttpClientError | ConnectionError | RequestTimeout> =>
  client.pipe(
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.bearerToken(options.apiKey),
        HttpClientRequest.setHeader("user-agent", options.userAgent),
        HttpClientRequest.acceptJson
      )
    ),
    HttpClient.mapRequestEffect((request) =>
      Effect.map(FiberRef.get(requestTweaks), (tweaks) => {
        let tweaked = request
        if (tweaks.headers !== undefined) tweaked = HttpClientRequest.setHeaders(tweaked, tweaks.headers)
        if (tweaks.body !== undefined) tweaked = HttpClientRequest.setBody(tweaked, tweaks.body)
        // One key per request, set before the first attempt: every retry carries the same.
        if (tweaked.method === "POST" && tweaked.headers[IDEMPOTENCY_KEY_HEADER] === undefined) {
          tweaked = HttpClientRequest.setHeader(tweaked, IDEMPOTENCY_KEY_HEADER, globalThis.crypto.randomUUID())
        }
        return tweaked
      })
    ),
    HttpClient.transform((execute, request) => attemptsOf(execute, request, options))
  )
