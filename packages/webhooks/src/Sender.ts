import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { LEADQ_EVENT_ID_HEADER, LEADQ_EVENT_TYPE_HEADER, LEADQ_SIGNATURE_HEADER, signLeadq } from "@leadq/domain"
import { Duration, Effect, Layer } from "effect"

/** One event as it goes on the wire (docs/webhooks.md "Events and payloads"). */
export interface OutgoingEvent {
  readonly id: string
  readonly type: string
  readonly created_at: number
  /** The event's `data`, JSON text exactly as committed to the outbox. */
  readonly payload: string
}

/**
 * The body: `{"id", "type", "created_at", "data"}`. The committed `data` text is placed as it is,
 * not parsed and written again, so the bytes signed are the bytes committed.
 */
export const eventBody = (event: OutgoingEvent): string =>
  `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"created_at":${
    JSON.stringify(new Date(event.created_at).toISOString())
  },"data":${event.payload}}`

export type SendResult =
  | { readonly _tag: "answered"; readonly status: number; readonly body: string }
  | { readonly _tag: "unreachable"; readonly error: string }

/**
 * One delivery attempt: a signed POST, bounded by `timeout_ms` from connecting to the last byte of
 * the answer (the request is aborted then). Never fails: a transport error or a timeout is
 * `unreachable`, any answer is `answered` with its status.
 */
export class Sender extends Effect.Service<Sender>()("leadq/webhooks/Sender", {
  effect: Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    return {
      send: Effect.fn("leadq/webhooks/Sender.send")(
        function*(url: string, secret: string, event: OutgoingEvent, timeout_ms: number, now: number) {
          const body = eventBody(event)
          const request = HttpClientRequest.post(url).pipe(
            HttpClientRequest.setHeaders({
              "user-agent": "leadq-webhooks/1",
              [LEADQ_SIGNATURE_HEADER]: signLeadq(secret, body, now),
              [LEADQ_EVENT_ID_HEADER]: event.id,
              [LEADQ_EVENT_TYPE_HEADER]: event.type
            }),
            HttpClientRequest.bodyText(body, "application/json")
          )
          return yield* client.execute(request).pipe(
            Effect.flatMap((response) =>
              Effect.map(response.text, (text): SendResult => ({ _tag: "answered", status: response.status, body: text.slice(0, 200) }))
            ),
            Effect.timeoutFail({ duration: Duration.millis(timeout_ms), onTimeout: () => `no answer within ${timeout_ms} ms` }),
            Effect.catchAll((e) =>
              Effect.succeed<SendResult>({ _tag: "unreachable", error: typeof e === "string" ? e : e.message.slice(0, 300) })
            )
          )
        }
      )
    }
  })
}) {}

/**
 * The HTTP client deliveries go through: the platform's fetch, redirects not followed (a 3xx is
 * an answer that is not 2xx, so it is retried, never sent on to another address).
 */
export const WebhookHttpClientLive: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer.pipe(
  Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" }))
)
