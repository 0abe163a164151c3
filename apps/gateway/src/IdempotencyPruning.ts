import { IDEMPOTENCY_KEY_TTL_MS, IdempotencyKeys } from "@leadq/domain"
import { Clock, Duration, Effect, Layer, Schedule } from "effect"

/**
 * How often a gateway deletes the `Idempotency-Key`s past their 24 h. A constant rather than a
 * setting: an expired key is already ignored when claimed (the claim takes it over), so the
 * pruning only keeps the table small, and any gateway on the database may do it.
 */
const PRUNE_EVERY = Duration.minutes(10)

/** The expired keys deleted now and every `PRUNE_EVERY`, for as long as the gateway runs. */
export const IdempotencyPruningLive: Layer.Layer<never, never, IdempotencyKeys> = Layer.scopedDiscard(
  Effect.gen(function*() {
    const keys = yield* IdempotencyKeys
    const prune = Effect.flatMap(Clock.currentTimeMillis, (now) => keys.prune(now, IDEMPOTENCY_KEY_TTL_MS)).pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("idempotency: cannot prune expired keys", cause))
    )
    yield* Effect.forkScoped(Effect.repeat(prune, Schedule.spaced(PRUNE_EVERY)))
  })
)
