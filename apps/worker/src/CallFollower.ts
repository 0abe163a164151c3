import { CallOutcome } from "@leadq/domain"
import type { CallEvent } from "@leadq/telephony"
import { Clock, Effect } from "effect"
import { ConnectedMarks } from "./ConnectedMarks.js"
import { Finisher } from "./Finisher.js"
import type { Held } from "./Holdings.js"
import { Holdings } from "./Holdings.js"
import { logCause } from "./StoreRetries.js"

/**
 * Following one dialled call to its end, for the worker that holds its claim: the carrier's
 * events go to whoever writes them — `Connected` to the connected marks, `Ended` to the finisher
 * — and the follower itself writes nothing. Writing is batched elsewhere; following is per call.
 */
export class CallFollower extends Effect.Service<CallFollower>()("leadq/worker/CallFollower", {
  effect: Effect.gen(function*() {
    const holdings = yield* Holdings
    const marks = yield* ConnectedMarks
    const finisher = yield* Finisher

    return {
      /** What a follower does with each event of its call (`PlacedCall.follow`, or a recovered call's stream). */
      onEventOf: (held: Held) => (event: CallEvent): Effect.Effect<void> =>
        Effect.sync(() => {
          if (event._tag === "Connected") marks.offer(held, event.at)
          else {
            held.ended = true
            finisher.offer(held, event.outcome)
          }
        }),
      /**
       * Follow a call in a fiber of its own. A daemon: a call outlives the dialer batch that
       * placed it; the lease keeper interrupts it when its claim goes stale, and shutdown when the
       * grace is over. A follower that fails lets the lead go: its lease runs out and recovery
       * settles it (one call's trouble, not the worker's).
       */
      follow: Effect.fn("leadq/worker/CallFollower.follow")(function*(held: Held, follow: Effect.Effect<void>) {
        held.follower = yield* Effect.forkDaemon(
          Effect.interruptible(follow).pipe(
            Effect.catchAllCause((cause) =>
              Effect.zipRight(
                logCause("following a call failed; left to recovery")(cause),
                Effect.sync(() => holdings.letGo(held.ref))
              )
            )
          )
        )
      })
    }
  })
}) {}

/** The outcome of a dialled call that nobody can account for (the carrier never heard of it). */
export const workerLost = Effect.map(Clock.currentTimeMillis, (now) =>
  new CallOutcome({
    status: "failed",
    end_reason: "worker_lost",
    connected_at: null,
    ended_at: new Date(now),
    duration_seconds: 0
  }))
