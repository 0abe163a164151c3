import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Authentication } from "@leadq/api"
import { ApiKeyRepository, RateLimited, Unauthorized } from "@leadq/domain"
import { Clock, Effect, Layer, Option, Redacted } from "effect"
import { AuthRateLimiter } from "./AuthRateLimiter.js"

const missing = new Unauthorized({ message: "Missing API key: send Authorization: Bearer <api key>." })

/** The key id part of `lq_<key id>_<secret>`, when the token has that shape (for the per-key limit). */
const keyIdOf = (token: string): string | undefined => /^lq_([0-9a-z]{1,64})_/.exec(token)?.[1]

const rateLimited = (wait: number) =>
  new RateLimited({ retry_after_seconds: wait, message: `Too many failed API key attempts; retry in ${wait} s.` })

/**
 * Bearer authentication: the store resolves the key (hash only, constant-time comparison);
 * repeated failures are rate-limited per client address and per key id.
 */
const makeBearerCheck = Effect.gen(function*() {
  const keys = yield* ApiKeyRepository
  const limiter = yield* AuthRateLimiter
  // Untraced: it runs on every request, and a traced function captures a stack trace per call.
  return Effect.fnUntraced(function*(redacted: Redacted.Redacted<string>) {
    const token = Redacted.value(redacted).trim()
    const request = yield* HttpServerRequest.HttpServerRequest
    const address = Option.getOrElse(request.remoteAddress, () => "unknown")
    const keyId = keyIdOf(token)
    const now = yield* Clock.currentTimeMillis
    const wait = limiter.retryAfterSeconds(address, keyId, now)
    if (wait > 0) return yield* Effect.fail(rateLimited(wait))
    // Only a failure is counted (a write shared by every gateway); a failure past the limit,
    // counted by other gateways, is answered 429 rather than 401.
    const failed = (error: Unauthorized, countedKeyId: string | undefined) =>
      Effect.flatMap(
        limiter.recordFailure(address, countedKeyId, now),
        (over): Effect.Effect<never, Unauthorized | RateLimited> => Effect.fail(over > 0 ? rateLimited(over) : error)
      )
    // The platform hands a missing or non-bearer header over as "": never a valid key.
    if (token === "") return yield* failed(missing, undefined)
    return yield* Effect.catchAll(keys.authenticate(token), (error) => failed(error, keyId))
  })
})

export const AuthenticationLive: Layer.Layer<Authentication, never, ApiKeyRepository | AuthRateLimiter> = Layer.effect(
  Authentication,
  Effect.map(makeBearerCheck, (bearer) => Authentication.of({ bearer }))
)
