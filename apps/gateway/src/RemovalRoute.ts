import { HttpApiError } from "@effect/platform"
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { IdPath, RemoveLeadParams } from "@leadq/api"
import { Effect, ParseResult, Redacted, Schema } from "effect"
import * as QueryString from "find-my-way-ts/QueryString"
import { makeBearerCheck } from "./AuthenticationLive.js"
import { makeRemoveLead } from "./handlers/RemoveLead.js"

/** The route's pattern, as the route table and the metrics name it. */
export const REMOVAL_ROUTE = "/v1/campaigns-leads/:id"

const PREFIX = "/v1/campaigns-leads/"

/** A path segment the router would hand over unchanged: nothing to percent-decode, no `;` or `#`. */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/

const BEARER_PREFIX = "Bearer ".length

/**
 * `DELETE /v1/campaigns-leads/{id}` served ahead of the router. It is the operation the product
 * lives on and the one operators fire by the thousand; through the router and the endpoint
 * machinery of `HttpApiBuilder` (a context copy and merge, the security middleware, decoders
 * built per request, more fiber steps) it spent about 70 µs of CPU more per request than the
 * removal itself needs (tools/bench remove-throughput).
 *
 * It is the same endpoint, not a second one: the endpoint's own schemas from `@leadq/api`
 * (`IdPath`, `RemoveLeadParams`), the query parsed by the router's own parser, the bearer check
 * of the `Authentication` middleware (key check and brute-force limits) run first as the router
 * runs it, the same handler (`makeRemoveLead`), and every failure answered by the pipeline
 * exactly as it answers the router's. It takes only the plain shape (an id that needs no
 * decoding) and returns `undefined` for anything else, which the router then serves as before.
 * `test/RemovalRoute.test.ts` sends the same requests to a gateway with and without it and
 * compares the answers.
 */
export const makeRemovalRoute = Effect.gen(function*() {
  const bearer = yield* makeBearerCheck
  const removeLead = yield* makeRemoveLead
  const decodePath = Schema.decodeUnknown(IdPath)
  const decodeParams = Schema.decodeUnknown(RemoveLeadParams)

  return (
    request: HttpServerRequest.HttpServerRequest,
    pathname: string
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest> | undefined => {
    const id = pathname.slice(PREFIX.length)
    if (request.method !== "DELETE" || !pathname.startsWith(PREFIX) || !PLAIN_ID.test(id)) return undefined
    const q = request.url.indexOf("?")
    // As the platform reads a bearer token: whatever follows the scheme's length ("" without one).
    const token = Redacted.make((request.headers["authorization"] ?? "").slice(BEARER_PREFIX))
    return Effect.flatMap(bearer(token), (caller) =>
      Effect.flatMap(
        Effect.zip(decodePath({ id }), decodeParams(QueryString.parse(q === -1 ? "" : request.url.slice(q + 1)))),
        ([path, params]) => removeLead(caller, path.id, params.reason)
      ).pipe(Effect.catchIf(ParseResult.isParseError, HttpApiError.HttpApiDecodeError.refailParseError)))
  }
})
