import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import type { ApiFailure } from "@leadq/api"
import {
  failureResponse,
  InternalError,
  LeadqApi,
  MAX_CSV_BYTES,
  MethodNotAllowed,
  PayloadTooLarge,
  RouteNotFound,
  UnsupportedMediaType
} from "@leadq/api"
import { InvalidInput } from "@leadq/domain"
import { Cause, Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import { GatewayConfig } from "./GatewayConfig.js"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { Draining } from "./GracefulShutdown.js"
import { readJsonText, withBodyText } from "./JsonBody.js"
import { failureOfCause } from "./RequestFailures.js"
import type { BodyKind } from "./RouteTable.js"
import { makeRouteTable } from "./RouteTable.js"

/** The webhook reads its body raw (the signature covers the exact bytes), but it is JSON. */
export const WEBHOOK_PATH = "/v1/carrier/webhooks/call-ended"

/** Multipart framing around the file: boundaries and part headers. */
const MULTIPART_OVERHEAD = 64 * 1024

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Generated request ids: this process's random prefix and a counter. Unique is all a request id
 * must be; a random UUID per request would cost a CSPRNG draw on the hot path.
 */
const ID_PREFIX = randomUUID().slice(0, 8)
let idCounter = 0
const nextRequestId = () => `${ID_PREFIX}-${(++idCounter).toString(36)}`

/** A `\u0000` escape that is not itself escaped: PostgreSQL text cannot hold a NUL character. */
const JSON_NUL = /(^|[^\\])(\\\\)*\\u0000/

/**
 * Deeper than any body of the API (a few levels), far shallower than what overflows the stack:
 * a decode error over a value nested thousands of levels deep overflows it while formatting the
 * value into its message, which would otherwise be a 500.
 */
const MAX_JSON_DEPTH = 64

/** Whether arrays and objects nest deeper than `max` (strings skipped), in one pass. */
const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > max) return true
    } else if (c === 93 || c === 125) depth--
  }
  return false
}

const mediaTypeOf = (contentType: string | undefined) =>
  contentType === undefined ? undefined : contentType.split(";")[0]!.trim().toLowerCase()

const hasBody = (headers: Record<string, string | undefined>) =>
  (headers["content-length"] !== undefined && headers["content-length"] !== "0") || headers["transfer-encoding"] !== undefined

/**
 * The part of a request's handling that no endpoint should repeat, in one place:
 *
 * - a request id on every response (`x-request-id`, the client's when it sent a sane one);
 * - 404 for an unknown path and 405 (with `Allow`) for a known path with another method, before
 *   the router runs;
 * - 415 for a body of the wrong Content-Type and 413 for one over the limit, before it is read;
 * - every failure, whatever raised it (a domain error, a body that does not decode, a malformed
 *   JSON or multipart body, a defect), answered in the error envelope; a defect is logged with
 *   its cause and answered with a generic 500, never a stack;
 * - the request metrics.
 */
export const RequestPipelineLive: Layer.Layer<
  never,
  never,
  GatewayConfig | GatewayMetrics | Draining
> = HttpApiBuilder.middleware(
  Effect.gen(function*() {
    const config = yield* GatewayConfig
    const metrics = yield* GatewayMetrics
    const { state: shutdown } = yield* Draining
    const routes = makeRouteTable(
      LeadqApi,
      [{ method: "GET", path: "/openapi.json" }, { method: "GET", path: "/docs" }],
      new Set([`POST ${WEBHOOK_PATH}`])
    )
    // A body over the limit is still read and dropped up to this much before the 413 (see JsonBody.ts).
    const drainBytes = Math.max(4 * config.maxJsonBodyBytes, 16 * 1024 * 1024)
    const uploadLimit = MAX_CSV_BYTES + MULTIPART_OVERHEAD

    /** 415 / 413 before the body is read; then the NUL check of a JSON body. */
    const guardBody = (kind: BodyKind, request: HttpServerRequest.HttpServerRequest): ApiFailure | undefined => {
      if (kind === "none") return undefined
      const headers = request.headers
      const media = mediaTypeOf(headers["content-type"])
      const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"])
      if (kind === "multipart") {
        if (media !== "multipart/form-data") return UnsupportedMediaType.of(headers["content-type"], ["multipart/form-data"])
        if (length !== undefined && length > uploadLimit) return PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
        return undefined
      }
      // No Content-Type at all is taken as JSON (what curl -X and many clients send with a JSON body).
      // Only application/json itself: the platform would not parse a `+json` type as JSON, and
      // would wait for a body this pipeline has already read (the request hung). Checked even
      // without a body: the platform picks its body parser by the Content-Type alone, and a
      // multipart parser waiting on an empty body never answered.
      if (media !== undefined && media !== "application/json") {
        return UnsupportedMediaType.of(headers["content-type"], ["application/json"])
      }
      if (!hasBody(headers)) return undefined
      if (length !== undefined && length > config.maxJsonBodyBytes) return PayloadTooLarge.of(config.maxJsonBodyBytes)
      return undefined
    }

    return (app: HttpApp.Default): HttpApp.Default =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const started = performance.now()
        const sent = request.headers["x-request-id"]
        const requestId = sent !== undefined && REQUEST_ID.test(sent) ? sent : nextRequestId()
        const url = request.url
        const q = url.indexOf("?")
        const pathname = q === -1 ? url : url.slice(0, q)
        const method = request.method
        const entry = routes.match(pathname)
        const route = entry?.pattern ?? "unmatched"
        const kind = entry?.methods.get(method)
        const bodyLimit = kind === "multipart" ? uploadLimit : config.maxJsonBodyBytes

        const answerFailure = (cause: Cause.Cause<unknown>, limit: number) => {
          const failure = failureOfCause(cause, limit)
          if (failure !== undefined) return Effect.succeed(failureResponse(failure))
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
          return Effect.as(
            Effect.logError("Request failed", cause).pipe(
              Effect.annotateLogs({ request_id: requestId, route, method, url: pathname })
            ),
            failureResponse(InternalError.instance)
          )
        }

        const early: ApiFailure | undefined = entry === undefined
          ? RouteNotFound.of(method, pathname)
          : kind === undefined
          ? MethodNotAllowed.of(method, pathname, [...entry.methods.keys()])
          : guardBody(kind, request)

        const handled: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> = early !== undefined
          ? Effect.succeed(failureResponse(early))
          : (kind === "json" || kind === "raw-json") && hasBody(request.headers)
          ? Effect.flatMap(readJsonText(request, config.maxJsonBodyBytes, drainBytes), (body) =>
            body._tag === "TooLarge"
              ? Effect.succeed(HttpServerResponse.setHeader(failureResponse(PayloadTooLarge.of(config.maxJsonBodyBytes)), "connection", "close"))
              : body._tag === "Unreadable"
              ? Effect.succeed(failureResponse(InvalidInput.of(["body: could not be read"])))
              : JSON_NUL.test(body.text) || body.text.includes("\u0000")
              ? Effect.succeed(failureResponse(InvalidInput.of(["body: text must not contain NUL characters (\\u0000)"])))
              : nestsDeeperThan(body.text, MAX_JSON_DEPTH)
              ? Effect.succeed(failureResponse(InvalidInput.of([`body: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`])))
              : Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBodyText(request, body.text))
          ).pipe(Effect.catchAllCause((cause) => answerFailure(cause, bodyLimit)))
          : app.pipe(Effect.catchAllCause((cause) => answerFailure(cause, bodyLimit)))

        // Logs of a failed request carry its id (above); annotating every request's fiber up front
        // would cost each request a fiber-ref update for the rare one that logs.
        return Effect.map(handled, (response) => {
          metrics.observeRequest(route, method, response.status, (performance.now() - started) / 1000)
          const tagged = HttpServerResponse.setHeader(response, "x-request-id", requestId)
          return shutdown.draining ? HttpServerResponse.setHeader(tagged, "connection", "close") : tagged
        })
      })
  })
)
