import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import type { Middleware } from "./PipelineRequest.js"

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Generated request ids: this process's random prefix and a counter. Unique is all a request id
 * must be; a random UUID per request would cost a CSPRNG draw on the hot path.
 */
const ID_PREFIX = randomUUID().slice(0, 8)
let idCounter = 0
const nextRequestId = () => `${ID_PREFIX}-${(++idCounter).toString(36)}`

/** The client's `x-request-id` when it sent a sane one, else a new one. */
export const requestIdOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const sent = request.headers["x-request-id"]
  return sent !== undefined && REQUEST_ID.test(sent) ? sent : nextRequestId()
}

/**
 * Every answer carries its request id (`x-request-id`). Logs of a failed request carry it too
 * (ErrorEnvelope.ts); annotating every request's fiber up front would cost each request a
 * fiber-ref update for the rare one that logs.
 */
export const tagRequestId: Middleware<never> = (next) => (req) =>
  Effect.map(next(req), (response) => HttpServerResponse.setHeader(response, "x-request-id", req.requestId))
