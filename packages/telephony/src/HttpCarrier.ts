import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { CallOutcome, CarrierEvents } from "@leadq/domain"
import { Clock, Data, Duration, Effect, Layer, Option, Redacted, Schedule, Schema, Stream } from "effect"
import type { CallLookup, DialRequest } from "./Carrier.js"
import { CallEvent, CallFate, Carrier, placedCall } from "./Carrier.js"
import type { CreateCallBody, ProviderCall } from "./ProviderCalls.js"
import { outcomeOfProviderCall, ProviderCall as ProviderCallSchema, ProviderCallList } from "./ProviderCalls.js"

/**
 * Calls placed through a DialNexa-style voice platform (see `ProviderCalls.ts` for the contract).
 * The platform tells us how a call ended through its signed `call_ended` webhook, which the
 * gateway verifies and records in `CarrierEvents`; this adapter waits for that record. Asking
 * the platform directly (`GET /v1/calls/{id}`) is the backstop: it notices the callee answering,
 * a webhook that never came, and it is how recovery learns what became of a dead worker's call.
 */
export interface HttpCarrierConfig {
  readonly url: string
  readonly api_key: Redacted.Redacted<string>
  /** One HTTP request to the platform, at most. */
  readonly timeout_ms: number
  /** Extra tries of a dial request that timed out or met a 5xx (safe: the platform dedupes by external_id). */
  readonly dial_retries: number
  /** First back-off between tries; it doubles each time. */
  readonly retry_base_ms: number
  /** How often the recorded webhook events are looked at while a call goes on. */
  readonly poll_ms: number
  /** How often the platform is asked about a call still going. */
  readonly status_poll_ms: number
  /** A call that never reports an end is given up after this long (`failed`, `network_failure`). */
  readonly max_call_ms: number
}

export const DEFAULT_HTTP_CARRIER: Omit<HttpCarrierConfig, "url" | "api_key"> = {
  timeout_ms: 5_000,
  dial_retries: 3,
  retry_base_ms: 250,
  poll_ms: 1_000,
  status_poll_ms: 15_000,
  max_call_ms: 2 * 60 * 60 * 1000
}

/** The platform did not answer usefully (timeout, connection refused, 5xx): worth another try. */
class ProviderUnavailable extends Data.TaggedError("ProviderUnavailable")<{ readonly reason: string }> {}

type DialAnswer =
  | { readonly _tag: "Placed"; readonly call: ProviderCall }
  /** The platform refused the request (4xx): nothing was placed, and trying again will not help. */
  | { readonly _tag: "Refused"; readonly status: number; readonly body: string }

const isRetryableStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500

export const makeHttpCarrier = (config: HttpCarrierConfig) =>
  Effect.gen(function*() {
    const events = yield* CarrierEvents
    const base = config.url.replace(/\/+$/, "")
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(base),
          HttpClientRequest.bearerToken(Redacted.value(config.api_key)),
          HttpClientRequest.acceptJson
        )
      )
    )

    /** One request, bounded in time; transport failures and timeouts are `ProviderUnavailable`. */
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      client.execute(request).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(config.timeout_ms),
          onTimeout: () => new ProviderUnavailable({ reason: `no answer within ${config.timeout_ms} ms` })
        }),
        Effect.catchTag("RequestError", (e) => Effect.fail(new ProviderUnavailable({ reason: e.message }))),
        Effect.catchTag("ResponseError", (e) => Effect.fail(new ProviderUnavailable({ reason: e.message })))
      )

    const bodyOf = (response: HttpClientResponse.HttpClientResponse) =>
      response.text.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(config.timeout_ms),
          onTimeout: () => new ProviderUnavailable({ reason: "response body too slow" })
        }),
        Effect.catchTag("ResponseError", (e) => Effect.fail(new ProviderUnavailable({ reason: e.message })))
      )

    const decodeJson = <A, I>(schema: Schema.Schema<A, I>, text: string, what: string) =>
      Schema.decodeUnknown(Schema.parseJson(schema))(text).pipe(
        Effect.mapError(() => new ProviderUnavailable({ reason: `unreadable ${what} from the platform` }))
      )

    const backoff = Schedule.exponential(Duration.millis(config.retry_base_ms)).pipe(Schedule.jittered)

    const postCall = (body: CreateCallBody) =>
      Effect.gen(function*() {
        const response = yield* send(
          HttpClientRequest.post("/v1/calls").pipe(
            HttpClientRequest.setHeader("Idempotency-Key", body.external_id),
            HttpClientRequest.bodyUnsafeJson(body)
          )
        )
        const text = yield* bodyOf(response)
        if (response.status >= 200 && response.status < 300) {
          // A 2xx we cannot read may still be a placed call: retrying is safe (same external_id).
          return { _tag: "Placed", call: yield* decodeJson(ProviderCallSchema, text, "call") } as DialAnswer
        }
        if (isRetryableStatus(response.status)) {
          return yield* new ProviderUnavailable({ reason: `HTTP ${response.status}` })
        }
        return { _tag: "Refused", status: response.status, body: text.slice(0, 500) } as DialAnswer
      })

    const getCall = (providerCallId: string) =>
      Effect.gen(function*() {
        const response = yield* send(HttpClientRequest.get(`/v1/calls/${encodeURIComponent(providerCallId)}`))
        const text = yield* bodyOf(response)
        if (response.status === 404) return Option.none<ProviderCall>()
        if (response.status < 200 || response.status >= 300) {
          return yield* new ProviderUnavailable({ reason: `HTTP ${response.status}` })
        }
        return Option.some(yield* decodeJson(ProviderCallSchema, text, "call"))
      })

    const findByExternalId = (callId: string) =>
      Effect.gen(function*() {
        const response = yield* send(HttpClientRequest.get("/v1/calls").pipe(HttpClientRequest.setUrlParam("external_id", callId)))
        const text = yield* bodyOf(response)
        if (response.status < 200 || response.status >= 300) {
          return yield* new ProviderUnavailable({ reason: `HTTP ${response.status}` })
        }
        const list = yield* decodeJson(ProviderCallList, text, "call list")
        // The platform filters by external_id; a record that does not echo it is taken at its word.
        return Option.fromNullable(list.data.find((c) => c.external_id === callId || c.external_id === null))
      })

    const failedNow = Effect.map(Clock.currentTimeMillis, (now) =>
      new CallOutcome({
        status: "failed",
        end_reason: "network_failure",
        connected_at: null,
        ended_at: new Date(now),
        duration_seconds: 0
      }))

    const endedAtOnce = (outcome: CallOutcome): Stream.Stream<CallEvent> => Stream.make(CallEvent.Ended({ outcome }))

    interface Watch {
      readonly connected: boolean
      readonly lastAsked: number
      readonly done: boolean
    }

    /**
     * Follow a placed call: the recorded webhook event first (cheap, local), the platform's own
     * record every `status_poll_ms`, and a hard stop at `max_call_ms` after it was dialled.
     */
    const follow = (providerCallId: string, dialledAt: number, connectedAlready: boolean): Stream.Stream<CallEvent> =>
      Stream.unfoldEffect<Watch, CallEvent, never, never>(
        { connected: connectedAlready, lastAsked: dialledAt, done: false },
        (state) =>
          Effect.gen(function*() {
            if (state.done) return Option.none()
            let { connected, lastAsked } = state
            while (true) {
              const recorded = yield* events.endedOf(providerCallId)
              if (Option.isSome(recorded)) {
                return Option.some([CallEvent.Ended({ outcome: recorded.value }), { connected, lastAsked, done: true }] as const)
              }
              const now = yield* Clock.currentTimeMillis
              const overdue = now - dialledAt >= config.max_call_ms
              if (overdue || now - lastAsked >= config.status_poll_ms) {
                lastAsked = now
                const call = yield* getCall(providerCallId).pipe(
                  Effect.catchAll((e) =>
                    Effect.as(Effect.logDebug("leadq/HttpCarrier: status poll failed", e.reason), Option.none<ProviderCall>())
                  )
                )
                if (Option.isSome(call)) {
                  const outcome = outcomeOfProviderCall(call.value, new Date(now))
                  if (outcome !== undefined) {
                    return Option.some([CallEvent.Ended({ outcome }), { connected, lastAsked, done: true }] as const)
                  }
                  if (call.value.status === "in_progress" && !connected) {
                    connected = true
                    const at = call.value.started_at ?? new Date(now)
                    return Option.some([CallEvent.Connected({ at }), { connected, lastAsked, done: false }] as const)
                  }
                }
                if (overdue) {
                  yield* Effect.logWarning(
                    `leadq/HttpCarrier: call ${providerCallId} reported no end within ${config.max_call_ms} ms; recorded as failed (network_failure)`
                  )
                  const outcome = yield* failedNow
                  return Option.some([CallEvent.Ended({ outcome }), { connected, lastAsked, done: true }] as const)
                }
              }
              yield* Effect.sleep(Duration.millis(config.poll_ms))
            }
          })
      )

    const place = Effect.fn("leadq/HttpCarrier.place")(function*(request: DialRequest) {
      const dialledAt = yield* Clock.currentTimeMillis
      const body: CreateCallBody = {
        to_number: request.phone_number,
        from_number: request.from_phone_number,
        agent_id: request.agent_id,
        external_id: request.call_id,
        dynamic_variables: { ...request.notes },
        metadata: { lead_id: request.lead_id, campaign_id: request.campaign_id, attempt: request.attempt }
      }
      const answer = yield* postCall(body).pipe(
        Effect.retry({ schedule: backoff, times: config.dial_retries }),
        Effect.map(Option.some),
        Effect.catchTag("ProviderUnavailable", (e) =>
          // Out of tries, and the platform may or may not have the call: ask it once before
          // writing the attempt off, so a call that did go out is followed, not disowned.
          findByExternalId(request.call_id).pipe(
            Effect.map(Option.map((call): DialAnswer => ({ _tag: "Placed", call }))),
            Effect.catchAll(() => Effect.succeed(Option.none<DialAnswer>())),
            Effect.tap((found) =>
              Option.isNone(found)
                ? Effect.logWarning(
                  `leadq/HttpCarrier: dial of ${request.call_id} failed after ${1 + config.dial_retries} tries (${e.reason}); recorded as failed (network_failure)`
                )
                : Effect.void
            )
          )
        )
      )
      if (Option.isNone(answer)) {
        return placedCall(null, endedAtOnce(yield* failedNow))
      }
      const a = answer.value
      if (a._tag === "Refused") {
        yield* Effect.logWarning(`leadq/HttpCarrier: the platform refused the dial of ${request.call_id}: HTTP ${a.status} ${a.body}`)
        return placedCall(null, endedAtOnce(yield* failedNow))
      }
      yield* Effect.annotateCurrentSpan({ call_id: request.call_id, provider_call_id: a.call.id })
      const already = outcomeOfProviderCall(a.call, new Date(dialledAt))
      return placedCall(
        a.call.id,
        already !== undefined ? endedAtOnce(already) : follow(a.call.id, dialledAt, a.call.status === "in_progress")
      )
    })

    const lookup = Effect.fn("leadq/HttpCarrier.lookup")(function*(lookupOf: CallLookup) {
      const found = yield* findByExternalId(lookupOf.call_id).pipe(
        Effect.retry({ schedule: backoff, times: config.dial_retries }),
        Effect.catchTag("ProviderUnavailable", (e) =>
          Effect.as(
            Effect.logWarning(`leadq/HttpCarrier: cannot ask the platform about ${lookupOf.call_id} (${e.reason})`),
            Option.none<ProviderCall>()
          )
        )
      )
      if (Option.isNone(found)) return CallFate.Unknown()
      const call = found.value
      const recorded = yield* events.endedOf(call.id)
      if (Option.isSome(recorded)) return CallFate.Ended({ outcome: recorded.value })
      const now = yield* Clock.currentTimeMillis
      const outcome = outcomeOfProviderCall(call, new Date(now))
      if (outcome !== undefined) return CallFate.Ended({ outcome })
      return CallFate.InProgress({ events: follow(call.id, lookupOf.dialled_at.getTime(), false) })
    })

    // One dial per transaction: placing is a request to the platform (with retries), and every
    // dial of a batch would be logged before the first of them is placed.
    return Carrier.of({ name: "http", dial_batch: 1, place, lookup })
  })

/** The HTTP carrier; needs an `HttpClient` (e.g. `FetchHttpClient.layer`) and the recorded webhook events. */
export const HttpCarrierLive = (
  config: HttpCarrierConfig
): Layer.Layer<Carrier, never, HttpClient.HttpClient | CarrierEvents> => Layer.effect(Carrier, makeHttpCarrier(config))
