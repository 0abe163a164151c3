import { LeadQueue } from "@leadq/domain"
import { Clock, Duration, Effect, Queue } from "effect"
import type { Held } from "./Holdings.js"
import { Holdings } from "./Holdings.js"
import { LeaseKeeper } from "./LeaseKeeper.js"
import { retryingStore } from "./StoreRetries.js"

/**
 * How long after the callee answered a call must still be going to be marked `in_progress`:
 * `finishCall` keeps `started_at` from the moment of the answer anyway, so a call that ends
 * within this (every call of an instant carrier) never needs the extra transaction.
 */
export const MARK_CONNECTED_AFTER_MS = 200

interface ConnectedMark {
  readonly held: Held
  readonly at: Date
  readonly due: number
}

/**
 * The connected marks: a call still going `MARK_CONNECTED_AFTER_MS` after its callee answered
 * gets its log moved to `in_progress` (`markConnected`), in the order the calls connected. A mark
 * the store refuses even after a few tries is skipped (the call's end is written all the same).
 */
export class ConnectedMarks extends Effect.Service<ConnectedMarks>()("leadq/worker/ConnectedMarks", {
  effect: Effect.gen(function*() {
    const queue = yield* LeadQueue
    const holdings = yield* Holdings
    const leases = yield* LeaseKeeper
    const marks = yield* Queue.unbounded<ConnectedMark>()

    const markOne = Effect.gen(function*() {
      const { at, due, held } = yield* Queue.take(marks)
      const now = yield* Clock.currentTimeMillis
      if (due > now) yield* Effect.sleep(Duration.millis(due - now))
      if (held.ended || held.dial === undefined || holdings.get(held.ref) !== held) return
      yield* retryingStore("marking the call connected", queue.markConnected(held.dial, at)).pipe(
        Effect.catchTag("StaleClaim", () => leases.dropStale(held)),
        Effect.catchAllDefect((defect) => Effect.logError("marking the call connected failed", defect)),
        Effect.annotateLogs({ lead_id: held.ref.lead_id })
      )
    })

    return {
      /**
       * The callee of this call answered (from its follower). Synchronous, not an `Effect.fn`:
       * a follower calls it from its event callback, once per call.
       */
      offer: (held: Held, at: Date): void => {
        Queue.unsafeOffer(marks, { held, at, due: at.getTime() + MARK_CONNECTED_AFTER_MS })
      },
      run: Effect.fn("leadq/worker/ConnectedMarks.run")(function*() {
        while (true) yield* markOne
      })
    }
  })
}) {}
