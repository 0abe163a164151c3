import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeMultipart from "@effect/platform-node/NodeMultipart"
import { failureResponse, MAX_CSV_BYTES, PayloadTooLarge } from "@leadq/api"
import type { ApiKeyRepository, Caller, StoredAnswer } from "@leadq/domain"
import {
  IDEMPOTENCY_ABANDONED_AFTER_MS,
  IDEMPOTENCY_KEY_TTL_MS,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  IdempotencyKeys,
  InvalidInput,
  isKeptAnswer,
  isValidIdempotencyKey,
  outcomeOfTaken
} from "@leadq/domain"
import { Clock, Effect, Exit, Option } from "effect"
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import type { BodyLimits } from "./BodyLimits.js"
import { hasBody } from "./BodyLimits.js"
import { answerInEnvelope } from "./ErrorEnvelope.js"
import { readBodyBytes } from "../JsonBody.js"
import type { Middleware, PipelineRequest } from "./PipelineRequest.js"

/** The request header, and the header of a replayed answer (docs/api.md, "Idempotency"). */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key"
export const REPLAYED_HEADER = "idempotent-replayed"

const BEARER = /^bearer\s+(.*)$/i

type Body =
  | { readonly _tag: "Read"; readonly bytes: Uint8Array; readonly request: HttpServerRequest.HttpServerRequest }
  | { readonly _tag: "Refused"; readonly response: HttpServerResponse.HttpServerResponse }

/**
 * The body's exact bytes, for the fingerprint, and the request the endpoint is to read it from. A
 * JSON body was read already (JsonBodyChecks.ts); a multipart upload is read here, whole — only
 * when it carries a key: the bytes must be known before the endpoint runs — and handed to the
 * endpoint's multipart parser from memory.
 */
const bodyOf = (req: PipelineRequest, limits: BodyLimits) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request): Effect.Effect<Body> => {
    if (!hasBody(request.headers) || req.body === "none") {
      return Effect.succeed({ _tag: "Read", bytes: new Uint8Array(0), request })
    }
    if (req.body === "multipart") {
      return Effect.map(readBodyBytes(request, limits.upload, Math.max(limits.drain, limits.upload)), (raw): Body =>
        raw._tag === "TooLarge"
          ? {
            _tag: "Refused",
            response: HttpServerResponse.setHeader(failureResponse(PayloadTooLarge.of(MAX_CSV_BYTES, "The file")), "connection", "close")
          }
          : raw._tag === "Unreadable"
          ? { _tag: "Refused", response: failureResponse(InvalidInput.of(["body: could not be read"])) }
          : {
            _tag: "Read",
            bytes: raw.bytes,
            request: Object.create(request, {
              multipartStream: { get: () => NodeMultipart.stream(Readable.from([raw.bytes]), request.headers) }
            }) as HttpServerRequest.HttpServerRequest
          })
    }
    return Effect.map(
      Effect.orElseSucceed(request.text, () => ""),
      (text): Body => ({ _tag: "Read", bytes: Buffer.from(text, "utf8"), request })
    )
  })

/** SHA-256 over what makes a request this request: method, URL (path and query) and body bytes. */
const fingerprintOf = (req: PipelineRequest, bytes: Uint8Array): string =>
  createHash("sha256").update(`${req.method} ${req.request.url}\n`).update(bytes).digest("hex")

/** The answer as it will go out, when it is one that can be kept (a body in memory, or none). */
const captured = (response: HttpServerResponse.HttpServerResponse): StoredAnswer | undefined => {
  const headers: Record<string, string> = { ...response.headers }
  const body = response.body
  if (body._tag === "Uint8Array") {
    headers["content-type"] = body.contentType
    return { status: response.status, headers, body: body.body }
  }
  if (body._tag === "Empty") return { status: response.status, headers, body: new Uint8Array(0) }
  return undefined
}

const replay = (answer: StoredAnswer): HttpServerResponse.HttpServerResponse => {
  const { "content-type": contentType, ...headers } = answer.headers
  const options = { status: answer.status, headers: { ...headers, [REPLAYED_HEADER]: "true" } }
  return contentType === undefined
    ? HttpServerResponse.empty(options)
    : HttpServerResponse.uint8Array(answer.body, { ...options, contentType })
}

export interface IdempotencyServices {
  readonly apiKeys: ApiKeyRepository["Type"]
  readonly keys: IdempotencyKeys["Type"]
  readonly limits: BodyLimits
}

/**
 * `Idempotency-Key` on a POST (docs/api.md, "Idempotency"): the first request with a key runs
 * and its answer is kept (IdempotencyKeys, in the database, so every gateway sees it); a repeat
 * from the same organization within 24 h gets that answer replayed byte for byte, with
 * `Idempotent-Replayed: true`, and runs nothing; the same key on a different request is 422; a
 * repeat while the first still runs is 409 with `Retry-After: 1` (it is not held waiting: a
 * client timing out and retrying would pile up held connections, and a retry later gets the
 * replay).
 *
 * The organization is that of the bearer key, resolved here as the authentication in the API does
 * (it runs later, inside the router): a request whose key does not authenticate is handed on
 * untouched, to be refused there, and neither reads nor writes any stored answer. A request
 * without the header, or not a POST, is handed on at once: no work, no database.
 *
 * Sits inside the JSON body checks (the body text is read by then) and answers the endpoint's
 * failures in the envelope itself, so that a 4xx is kept exactly as it went out.
 */
export const keepIdempotent = (services: IdempotencyServices): Middleware<unknown> => (next) => {
  const inEnvelope = answerInEnvelope(services.limits)(next)
  const callerOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Option.Option<Caller>> => {
    const token = BEARER.exec(request.headers["authorization"] ?? "")?.[1]?.trim()
    if (token === undefined || token === "") return Effect.succeedNone
    return Effect.option(services.apiKeys.authenticate(token))
  }

  const keyed = (req: PipelineRequest, key: string) =>
    Effect.gen(function*() {
      const caller = yield* callerOf(req.request)
      if (Option.isNone(caller)) return yield* next(req)
      if (!isValidIdempotencyKey(key)) {
        return failureResponse(InvalidInput.of(["Idempotency-Key: must be 1 to 255 printable ASCII characters, without leading or trailing spaces"]))
      }
      const body = yield* bodyOf(req, services.limits)
      if (body._tag === "Refused") return body.response
      const organizationId = caller.value.organization_id
      const fingerprint = fingerprintOf(req, body.bytes)
      const claim = yield* services.keys.claim({
        organizationId,
        key,
        fingerprint,
        now: yield* Clock.currentTimeMillis,
        ttlMs: IDEMPOTENCY_KEY_TTL_MS,
        abandonedAfterMs: IDEMPOTENCY_ABANDONED_AFTER_MS
      })
      if (claim._tag === "Taken") {
        const outcome = outcomeOfTaken(claim, fingerprint)
        return outcome._tag === "Replay"
          ? replay(outcome.answer)
          : failureResponse(outcome._tag === "InFlight" ? IdempotencyKeyInUse.of(key) : IdempotencyKeyReused.of(key))
      }
      const release = services.keys.release(organizationId, key, claim.token)
      const response = yield* inEnvelope(req).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, body.request),
        // Interrupted (the client went away) or failed: nothing is known of the outcome to keep.
        Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(release))
      )
      const answer = captured(response)
      yield* (answer !== undefined && isKeptAnswer(answer.status)
        ? services.keys.complete(organizationId, key, claim.token, answer)
        : release).pipe(
          // The answer still goes out; the key stays in flight until it counts as abandoned.
          Effect.catchAllCause((cause) => Effect.logWarning("idempotency: cannot record the answer of a keyed request", cause))
        )
      return response
    })

  return (req) => {
    const key = req.method === "POST" ? req.request.headers[IDEMPOTENCY_KEY_HEADER] : undefined
    return key === undefined ? next(req) : keyed(req, key)
  }
}
