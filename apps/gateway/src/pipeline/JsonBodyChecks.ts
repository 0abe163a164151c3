import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { failureResponse, PayloadTooLarge } from "@leadq/api"
import { InvalidInput } from "@leadq/domain"
import { Effect } from "effect"
import { readJsonText, withBodyText } from "../JsonBody.js"
import type { BodyLimits } from "./BodyLimits.js"
import { hasBody } from "./BodyLimits.js"
import type { Middleware } from "./PipelineRequest.js"

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

/**
 * A JSON body is read here, once, before the endpoint runs (JsonBody.ts): over the limit → 413
 * with `Connection: close`; unreadable, holding a NUL character, or nested absurdly deep → 400.
 * The endpoint then decodes the text read here instead of the socket.
 */
export const checkJsonBody = (limits: BodyLimits): Middleware<unknown> => (next) => (req) =>
  (req.body === "json" || req.body === "raw-json") && hasBody(req.request.headers)
    ? Effect.flatMap(readJsonText(req.request, limits.json, limits.drain), (body) =>
      body._tag === "TooLarge"
        ? Effect.succeed(HttpServerResponse.setHeader(failureResponse(PayloadTooLarge.of(limits.json)), "connection", "close"))
        : body._tag === "Unreadable"
        ? Effect.succeed(failureResponse(InvalidInput.of(["body: could not be read"])))
        : JSON_NUL.test(body.text) || body.text.includes("\u0000")
        ? Effect.succeed(failureResponse(InvalidInput.of(["body: text must not contain NUL characters (\\u0000)"])))
        : nestsDeeperThan(body.text, MAX_JSON_DEPTH)
        ? Effect.succeed(failureResponse(InvalidInput.of([`body: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`])))
        : Effect.provideService(next(req), HttpServerRequest.HttpServerRequest, withBodyText(req.request, body.text)))
    : next(req)
