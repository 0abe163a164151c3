import type { CallOutcome } from "@leadq/domain"
import { CallOutcome as Outcome } from "@leadq/domain"
import type { CallEvent } from "@leadq/telephony"
import { Cause, Clock, Data, Duration, Effect, Schedule } from "effect"
import type { Held } from "./Holdings.js"

/**
 * Following one dialled call to its end, for the worker that holds its claim: the carrier's
 * events go to whoever writes them — `Connected` to the connected marks, `Ended` to the finisher
 * — and the follower itself writes nothing. Writing is batched elsewhere; following is per call.
 */
export interface CallSinks {
  readonly connected: (held: Held, at: Date) => void
  readonly ended: (held: Held, outcome: CallOutcome) => void
}

/** What a follower does with each event of its call (`PlacedCall.follow`, or a recovered call's stream). */
export const onEventOf = (held: Held, sinks: CallSinks) => (event: CallEvent): Effect.Effect<void> =>
  Effect.sync(() => {
    if (event._tag === "Connected") sinks.connected(held, event.at)
    else {
      held.ended = true
      sinks.ended(held, event.outcome)
    }
  })

/** A store write that failed for infrastructure reasons (a lost connection, a busy database). */
class StoreHiccup extends Data.TaggedError("StoreHiccup")<{ readonly cause: unknown }> {}

/** Infrastructure failures of the store are defects; here they are worth a few more tries. */
export const retryingStore = <A, E>(what: string, effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.catchAllDefect((cause) => Effect.fail(new StoreHiccup({ cause }))),
    Effect.retry({
      while: (e) => e instanceof StoreHiccup,
      schedule: Schedule.exponential(Duration.millis(200)).pipe(Schedule.jittered),
      times: 5
    }),
    Effect.catchIf((e): e is StoreHiccup => e instanceof StoreHiccup, (e) =>
      // Out of tries: leave it to recovery (the lease runs out, and the carrier tells the truth).
      Effect.zipRight(Effect.logError(`${what} failed; left to recovery`, e.cause), Effect.die(e.cause)))
  )

/** Log a failure, unless it is only an interruption (shutdown). */
export const logCause = (what: string) => (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError(what, cause)

/** The outcome of a dialled call that nobody can account for (the carrier never heard of it). */
export const workerLost = Effect.map(Clock.currentTimeMillis, (now) =>
  new Outcome({
    status: "failed",
    end_reason: "worker_lost",
    connected_at: null,
    ended_at: new Date(now),
    duration_seconds: 0
  }))
