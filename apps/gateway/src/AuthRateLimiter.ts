import type { AuthFailureWindow, AuthSubject, AuthSubjectKind } from "@leadq/domain"
import { AuthFailures } from "@leadq/domain"
import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { GatewayConfig } from "./GatewayConfig.js"

/** How often a gateway learns which subjects other gateways have pushed over the limit. */
const REFRESH_EVERY = Duration.seconds(1)
/** Ended windows are deleted at most this long after they end (sooner when the window is shorter). */
const PRUNE_EVERY_MAX = Duration.minutes(1)

const keyOf = (kind: AuthSubjectKind, id: string) => `${kind}:${id}`

/**
 * Brute force against API keys is slowed down per client address and per key id: each counts
 * its failed attempts in a window that opens at its first failure, and once at the threshold
 * every attempt from that address or on that key id (right or wrong) is refused with 429 until
 * the window ends. A success does not reset the count, so interleaving a valid key buys an
 * attacker nothing.
 *
 * The counts are in the database (`AuthFailures`), so every gateway on it enforces one limit.
 * Only a failure writes: its upsert returns the count across all gateways, and a failure past the
 * limit is answered 429 by whichever gateway it reached. The check before a key is looked up
 * reads this gateway's memory of the subjects over the limit — filled by its own failures at
 * once and by the database every second — so a valid key pays nothing for the limit, and a
 * locked-out attacker's attempts never reach the database.
 */
export class AuthRateLimiter extends Effect.Service<AuthRateLimiter>()("leadq/gateway/AuthRateLimiter", {
  scoped: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const failures = yield* AuthFailures
    const windowMs = config.auth_failure_window_ms
    const limits = { address: config.auth_max_failures_per_address, key: config.auth_max_failures_per_key }
    /** Subjects over their limit, with the end of their window (epoch ms). */
    const locked = new Map<string, number>()

    const learn = (window: AuthFailureWindow) => {
      if (window.failures < limits[window.kind]) return
      const key = keyOf(window.kind, window.id)
      locked.set(key, Math.max(locked.get(key) ?? 0, window.resets_at))
    }
    const lockedFor = (kind: AuthSubjectKind, id: string, now: number): number => {
      const resetsAt = locked.get(keyOf(kind, id))
      if (resetsAt === undefined) return 0
      if (resetsAt > now) return resetsAt - now
      locked.delete(keyOf(kind, id))
      return 0
    }
    const seconds = (ms: number) => (ms <= 0 ? 0 : Math.ceil(ms / 1000))

    let refreshFailing = false
    const refresh = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const over = yield* failures.overLimit(now, windowMs, limits)
      for (const [key, resetsAt] of locked) if (resetsAt <= now) locked.delete(key)
      for (const window of over) learn(window)
      if (refreshFailing) yield* Effect.logInfo("auth rate limiter: the shared counters are readable again")
      refreshFailing = false
    }).pipe(
      // The limits still hold on the failure path meanwhile (its write answers); say so once.
      Effect.catchAllCause((cause) =>
        refreshFailing ? Effect.void : Effect.zipRight(
          Effect.logWarning("auth rate limiter: cannot read the shared counters", cause),
          Effect.sync(() => (refreshFailing = true))
        )
      )
    )
    const prune = Effect.flatMap(Clock.currentTimeMillis, (now) => failures.prune(now, windowMs)).pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("auth rate limiter: cannot prune ended windows", cause))
    )
    yield* Effect.forkScoped(Effect.repeat(refresh, Schedule.spaced(REFRESH_EVERY)))
    yield* Effect.forkScoped(
      Effect.repeat(prune, Schedule.spaced(Duration.min(Duration.millis(windowMs), PRUNE_EVERY_MAX)))
    )

    return {
      /** Seconds to wait before trying again (0 when not locked), from this gateway's memory. */
      retryAfterSeconds: (address: string, keyId: string | undefined, now: number): number =>
        seconds(Math.max(lockedFor("address", address, now), keyId === undefined ? 0 : lockedFor("key", keyId, now))),
      /**
       * Counts a failure against the address and the key id, across all gateways. Seconds to wait
       * when this very attempt was past a limit (the others' failures had used it up), else 0.
       */
      recordFailure: (address: string, keyId: string | undefined, now: number): Effect.Effect<number> => {
        const subjects: Array<AuthSubject> = [{ kind: "address", id: address }]
        if (keyId !== undefined) subjects.push({ kind: "key", id: keyId })
        return Effect.map(failures.record(subjects, now, windowMs), (windows) => {
          let wait = 0
          for (const window of windows) {
            learn(window)
            if (window.failures > limits[window.kind]) wait = Math.max(wait, window.resets_at - now)
          }
          return seconds(wait)
        }).pipe(
          // The database is down: the caller's mistake is still a 401, not a 500 (no valid key can
          // be checked meanwhile either; /readyz says so).
          Effect.catchAllCause((cause) => Effect.as(Effect.logWarning("auth rate limiter: cannot count a failure", cause), 0))
        )
      }
    }
  })
}) {}

export const AuthRateLimiterLive: Layer.Layer<AuthRateLimiter, never, GatewayConfig | AuthFailures> = AuthRateLimiter.Default
