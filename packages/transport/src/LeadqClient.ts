import type * as HttpApi from "@effect/platform/HttpApi"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type { CallLogFilters, SuppressionUploadResult, UploadResult } from "@leadq/api"
import { LeadqApi } from "@leadq/api"
import type { CallLog, Page } from "@leadq/domain"
import { InvalidInput, issuesOf, randomToken } from "@leadq/domain"
import type { ConfigError, Duration as DurationNs, Redacted } from "effect"
import { Config, Context, Duration, Effect, FiberRef, Layer, Option, ParseResult, Stream } from "effect"
import type { Simplify } from "effect/Types"
import { ApiKeyConfig, DEFAULT_BASE_URL, GatewayUrlConfig } from "./ConnectionSettings.js"
import { lastExchange, requestTweaks, resilientClient } from "./ResilientHttpClient.js"
import type { RetryPolicyInput } from "./RetryPolicy.js"
import { retryAfterMillis, retryPolicyOf } from "./RetryPolicy.js"
import type { TransportError } from "./TransportErrors.js"
import { ConnectionError, isTransportError, UnexpectedResponse } from "./TransportErrors.js"

type Api = typeof LeadqApi
type ApiGroups = Api extends HttpApi.HttpApi<infer _Id, infer Groups, infer _E, infer _R> ? Groups : never
/** Failures any endpoint may answer (400, 413, 415, 500), declared once on the API. */
type ApiErrors = Api extends HttpApi.HttpApi<infer _Id, infer _G, infer E, infer _R> ? E : never

/**
 * What a call can fail with: the errors its endpoint declares (the domain's tagged errors,
 * rebuilt from the wire envelope), the API-wide ones, the transport's, and `InvalidInput` —
 * from the server's 400, or raised before sending when the request does not follow the
 * contract's schemas.
 */
export type ClientError<Declared> = Declared | ApiErrors | TransportError | InvalidInput

/** One endpoint as a function: its request (path, query, body) in, its success or a typed error out. */
export type ClientMethod<Endpoint, GroupError> = [Endpoint] extends [
  HttpApiEndpoint.HttpApiEndpoint<
    infer _Name,
    infer _Method,
    infer Path,
    infer UrlParams,
    infer Payload,
    infer Headers,
    infer Success,
    infer Error,
    infer _R,
    infer _RE
  >
] ? (
    request: Simplify<HttpApiEndpoint.HttpApiEndpoint.ClientRequest<Path, UrlParams, Payload, Headers, false>>
  ) => Effect.Effect<Success, ClientError<Error | GroupError>>
  : never

type ClientGroup<Group> = [Group] extends [
  HttpApiGroup.HttpApiGroup<infer _Name, infer Endpoints, infer GroupError, infer _R, infer _TopLevel>
] ? { readonly [Endpoint in Endpoints as HttpApiEndpoint.HttpApiEndpoint.Name<Endpoint>]: ClientMethod<Endpoint, GroupError> }
  : never

/**
 * The contract as functions, one group per `HttpApiGroup` of `@leadq/api` and one method per
 * endpoint: `client.leads.remove({ path: { id } })`. Derived, not written: an endpoint added to
 * the API appears here with its types.
 */
export type LeadqEndpoints = { readonly [Group in ApiGroups as HttpApiGroup.HttpApiGroup.Name<Group>]: ClientGroup<Group> }

/** The answer to a conditional request: the new value and its tag, or "what you hold is current". */
export type IfChanged<A> =
  | { readonly _tag: "Changed"; readonly value: A; readonly etag: Option.Option<string> }
  | { readonly _tag: "NotModified" }

/** A CSV file to upload, as a stream of bytes (read as it is sent: pull progress from it). */
export interface CsvSource {
  readonly content: Stream.Stream<Uint8Array, unknown>
  /** The file name sent in the multipart part (default `leads.csv`). */
  readonly filename?: string | undefined
  /** The size in bytes, when known (then sent as `Content-Length`). */
  readonly size?: number | undefined
}

type UploadError = Effect.Effect.Error<ReturnType<LeadqEndpoints["leads"]["upload"]>>
type SuppressionUploadError = Effect.Effect.Error<ReturnType<LeadqEndpoints["suppressions"]["upload"]>>
type CallLogListError = Effect.Effect.Error<ReturnType<LeadqEndpoints["callLogs"]["list"]>>

export interface LeadqClientService extends LeadqEndpoints {
  /** The gateway this client talks to, without a trailing slash. */
  readonly baseUrl: string
  /**
   * `GET /v1/call-logs` with `If-None-Match`: `NotModified` while the list is the one whose
   * `etag` you hold (costs the gateway no body), else the new page and its tag.
   */
  readonly callLogsIfChanged: (
    urlParams: typeof CallLogFilters.Type,
    etag: Option.Option<string>
  ) => Effect.Effect<IfChanged<Page<CallLog>>, CallLogListError>
  /**
   * `POST /v1/campaigns-leads/upload-file/{campaignId}` from a stream, never held whole in
   * memory. The same request as `leads.upload` (same answers and errors); only the body is
   * streamed, because a `FormData` cannot tell how much of it was sent. Never retried.
   */
  readonly uploadCsv: (campaignId: string, file: CsvSource) => Effect.Effect<UploadResult, UploadError>
  /** `POST /v1/suppressions/upload-file` from a stream, like `uploadCsv`. Never retried. */
  readonly uploadSuppressionsCsv: (file: CsvSource) => Effect.Effect<SuppressionUploadResult, SuppressionUploadError>
}

export interface LeadqClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string | URL
  readonly apiKey: Redacted.Redacted<string>
  /** Per attempt, to the answer's headers. Default 30 s. */
  readonly timeout?: DurationNs.DurationInput | undefined
  /** Per attempt for CSV uploads (the gateway answers once every row is in). Default 10 min. */
  readonly uploadTimeout?: DurationNs.DurationInput | undefined
  readonly retry?: RetryPolicyInput | undefined
  readonly userAgent?: string | undefined
}

export const DEFAULT_TIMEOUT = Duration.seconds(30)
export const DEFAULT_UPLOAD_TIMEOUT = Duration.minutes(10)

const trimSlash = (url: string | URL) => url.toString().replace(/\/+$/, "")

/** Up to `max` characters of a body, for a message. */
const snippet = (text: string, max = 300) => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** An answer outside the contract, told with what the server said when it said something readable. */
const unexpectedOf = (method: string, url: string, response: HttpClientResponse.HttpClientResponse, detail?: string) =>
  // The derived client reads bodies as array buffers (cached on the response): read it the same way.
  Effect.map(Effect.orElseSucceed(Effect.map(response.arrayBuffer, (b) => new TextDecoder().decode(b)), () => ""), (text) => {
    const status = response.status
    let code: string | undefined
    let said = status < 300 && detail !== undefined ? detail : snippet(text)
    if (status >= 300) {
      try {
        const body = JSON.parse(text) as { code?: unknown; message?: unknown }
        if (typeof body.code === "string") code = body.code
        if (typeof body.message === "string") said = body.message
        else if (Array.isArray(body.message)) said = body.message.join("; ")
      } catch {
        // not JSON: the snippet is all there is
      }
    }
    const retryAfter = retryAfterMillis(response.headers["retry-after"], Date.now())
    return new UnexpectedResponse({
      method,
      url,
      status,
      ...(code !== undefined ? { code } : {}),
      ...(retryAfter !== undefined ? { retry_after_seconds: retryAfter / 1000 } : {}),
      message: status < 300
        ? `The answer (HTTP ${status}) to ${method} ${url} does not follow the contract: ${said}`
        : `Unexpected answer HTTP ${status}${code !== undefined ? ` ${code}` : ""} to ${method} ${url}${said === "" ? "" : `: ${said}`}`
    })
  })

/**
 * Every failure of a derived call, as the caller should see it: domain errors as they are,
 * transport failures as `TransportError`s, and a request that does not follow the contract
 * (caught while encoding it, before anything is sent) as `InvalidInput`.
 */
const normalizeError = (error: unknown): Effect.Effect<never, unknown> => {
  if (isTransportError(error)) return Effect.fail(error)
  if (HttpClientError.isHttpClientError(error)) {
    if (error._tag === "ResponseError") {
      return Effect.flatMap(unexpectedOf(error.request.method, error.request.url, error.response), Effect.fail)
    }
    return Effect.fail(ConnectionError.of(error.request.method, error.request.url, error.message))
  }
  if (ParseResult.isParseError(error)) return Effect.fail(InvalidInput.of(issuesOf(error)))
  return Effect.fail(error)
}

/**
 * Applied by the derived client around the decoding of an answer only: a body that does not
 * decode is the server's doing, never the caller's. An error status whose body is not the
 * envelope the endpoint declares for it (a 404 `RouteNotFound` from a wrong base URL, a proxy's
 * HTML page) is reported with its status and what it said.
 */
const decodingFailure = (effect: Effect.Effect<unknown, unknown>) =>
  Effect.catchIf(effect, ParseResult.isParseError, (error) =>
    Effect.flatMap(FiberRef.get(lastExchange), (exchange) =>
      Option.match(exchange, {
        onNone: () =>
          Effect.fail(new UnexpectedResponse({ method: "?", url: "?", message: `An answer does not follow the contract: ${error.message}` })),
        onSome: ({ method, response, url }) =>
          Effect.flatMap(
            unexpectedOf(method, url, response, snippet(ParseResult.TreeFormatter.formatErrorSync(error), 500)),
            Effect.fail
          )
      })))

const multipartBody = (file: CsvSource): HttpBody.HttpBody => {
  const boundary = `leadq-${randomToken(24)}`
  const filename = (file.filename ?? "leads.csv").replace(/["\r\n\\]/g, "_")
  const encoder = new TextEncoder()
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`
  )
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
  return HttpBody.stream(
    Stream.make(head).pipe(Stream.concat(file.content), Stream.concat(Stream.make(tail))),
    `multipart/form-data; boundary=${boundary}`,
    file.size === undefined ? undefined : head.byteLength + file.size + tail.byteLength
  )
}

/** Build a client on the given `HttpClient` (fetch, undici, a test double). */
export const make = (options: LeadqClientOptions): Effect.Effect<LeadqClientService, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = trimSlash(options.baseUrl)
    const uploadTimeout = Duration.decode(options.uploadTimeout ?? DEFAULT_UPLOAD_TIMEOUT)
    const httpClient = resilientClient(yield* HttpClient.HttpClient, {
      apiKey: options.apiKey,
      timeout: Duration.decode(options.timeout ?? DEFAULT_TIMEOUT),
      retry: retryPolicyOf(options.retry),
      userAgent: options.userAgent ?? "leadq-transport"
    })
    const derived = yield* HttpApiClient.makeWith(LeadqApi, {
      httpClient,
      baseUrl,
      transformResponse: decodingFailure
    })

    const endpoints: Record<string, Record<string, (request: unknown) => Effect.Effect<unknown, unknown>>> = {}
    for (const [group, methods] of Object.entries(derived as unknown as Record<string, Record<string, (request: unknown) => unknown>>)) {
      const wrapped: Record<string, (request: unknown) => Effect.Effect<unknown, unknown>> = {}
      for (const [name, method] of Object.entries(methods)) {
        const span = `leadq/transport/${group}.${name}`
        wrapped[name] = (request) =>
          (method(request) as Effect.Effect<unknown, unknown>).pipe(
            Effect.catchAll(normalizeError),
            Effect.withSpan(span, { captureStackTrace: false })
          )
      }
      endpoints[group] = wrapped
    }

    const callLogsIfChanged = Effect.fn("leadq/transport/callLogsIfChanged")(function*(
      urlParams: typeof CallLogFilters.Type,
      etag: Option.Option<string>
    ) {
      const answer = yield* derived.callLogs.list({ urlParams, withResponse: true }).pipe(
        Effect.map(([page, response]): IfChanged<Page<CallLog>> => ({
          _tag: "Changed",
          value: page,
          etag: Option.fromNullable(response.headers["etag"])
        })),
        Effect.catchIf(
          (e): e is HttpClientError.ResponseError => HttpClientError.isHttpClientError(e) && e._tag === "ResponseError" && e.response.status === 304,
          () => Effect.succeed<IfChanged<Page<CallLog>>>({ _tag: "NotModified" })
        ),
        Effect.catchAll(normalizeError),
        Effect.locally(requestTweaks, Option.match(etag, { onNone: () => ({}), onSome: (tag) => ({ headers: { "if-none-match": tag } }) }))
      )
      return answer
    }) as LeadqClientService["callLogsIfChanged"]

    const uploadCsv = Effect.fn("leadq/transport/uploadCsv")(function*(campaignId: string, file: CsvSource) {
      return yield* derived.leads.upload({ path: { campaignId }, payload: new FormData() }).pipe(
        Effect.catchAll(normalizeError),
        Effect.locally(requestTweaks, { body: multipartBody(file), timeout: uploadTimeout })
      )
    }) as LeadqClientService["uploadCsv"]

    const uploadSuppressionsCsv = Effect.fn("leadq/transport/uploadSuppressionsCsv")(function*(file: CsvSource) {
      return yield* derived.suppressions.upload({ payload: new FormData() }).pipe(
        Effect.catchAll(normalizeError),
        Effect.locally(requestTweaks, { body: multipartBody(file), timeout: uploadTimeout })
      )
    }) as LeadqClientService["uploadSuppressionsCsv"]

    return { ...(endpoints as unknown as LeadqEndpoints), baseUrl, callLogsIfChanged, uploadCsv, uploadSuppressionsCsv }
  })

/** `LEADQ_URL` (default `http://127.0.0.1:8080`) and `LEADQ_API_KEY` (required), as `ConnectionSettings` reads them. */
export const LeadqClientConfig: Config.Config<LeadqClientOptions> = Config.all({
  baseUrl: Config.withDefault(GatewayUrlConfig, DEFAULT_BASE_URL),
  apiKey: ApiKeyConfig
})

/**
 * The typed client of a leadq gateway, for Effect programs:
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const leadq = yield* LeadqClient
 *   yield* leadq.leads.remove({ path: { id }, urlParams: { reason: "opt-out" } }).pipe(
 *     Effect.catchTag("LeadNotFound", () => Effect.log("already removed"))
 *   )
 * })
 * program.pipe(Effect.provide(LeadqClient.layerConfig))
 * ```
 */
export class LeadqClient extends Context.Tag("leadq/transport/LeadqClient")<LeadqClient, LeadqClientService>() {
  /** On the `HttpClient` you provide (e.g. `NodeHttpClient.layerUndici`, or one with a custom agent). */
  static readonly layerWithoutHttpClient = (options: LeadqClientOptions): Layer.Layer<LeadqClient, never, HttpClient.HttpClient> =>
    Layer.effect(LeadqClient, make(options))

  /** On the platform's `fetch` (Node 20+, Bun, Deno, browsers): keep-alive connections, reused. */
  static readonly layer = (options: LeadqClientOptions): Layer.Layer<LeadqClient> =>
    LeadqClient.layerWithoutHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))

  /** From `LEADQ_URL` and `LEADQ_API_KEY`. */
  static readonly layerConfig: Layer.Layer<LeadqClient, ConfigError.ConfigError> = Layer.unwrapEffect(
    Effect.map(LeadqClientConfig, (options) => LeadqClient.layer(options))
  )
}


