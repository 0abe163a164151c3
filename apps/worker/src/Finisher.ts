import type { CallOutcome } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { Chunk, Effect, Either, Queue } from "effect"
import type { Held } from "./Holdings.js"
import { Holdings } from "./Holdings.js"
import { Nudges } from "./Nudges.js"
import { retryingStore } from "./StoreRetries.js"

/** An ended call waiting to be written. */
export interface EndedCall {
  readonly held: Held
  readonly outcome: CallOutcome
}

/** Most calls written in one transaction. */
export const FINISH_BATCH = 500

/**
 * The finisher writes ended calls — log and lead — with `finishCalls`: every call that ended
 * while the previous batch was being written goes into the next one, one transaction (on SQLite
 * one fsync) for all of them. A lead is let go only once its call is written, so it counts
 * against `max_in_flight` and keeps its lease renewed until then. A batch the store refuses even
 * after a few tries is left to recovery: its leads are let go, their leases run out, and the
 * sweeper settles them from the carrier's record. Every batch written frees slots: the claim loop
 * is nudged.
 */
export class Finisher extends Effect.Service<Finisher>()("leadq/worker/Finisher", {
  effect: Effect.gen(function*() {
    const queue = yield* LeadQueue
    const holdings = yield* Holdings
    const nudges = yield* Nudges
    const ended = yield* Queue.unbounded<EndedCall>()

    const writeBatch = Effect.gen(function*() {
      const batch = Chunk.toReadonlyArray(yield* Queue.takeBetween(ended, 1, FINISH_BATCH))
      const answers = yield* retryingStore(
        "recording ended calls",
        queue.finishCalls(batch.map(({ held, outcome }) => ({ dial: held.dial!, outcome })))
      ).pipe(Effect.catchAllDefect((defect) => Effect.as(Effect.logError("recording ended calls failed; left to recovery", defect), undefined)))
      let retries = 0
      let removed = 0
      for (const [i, { held }] of batch.entries()) {
        const answer = answers?.[i]
        if (answer !== undefined && Either.isLeft(answer)) {
          yield* Effect.logWarning("claim taken over by another worker before its call was recorded (stale fencing token): leaving the lead alone").pipe(
            Effect.annotateLogs({ lead_id: held.ref.lead_id, call_id: held.dial?.call_id })
          )
        } else if (answer !== undefined) {
          if (answer.right.retry) retries++
          if (answer.right.removed) removed++
        }
        holdings.letGo(held.ref)
      }
      if (answers !== undefined) {
        yield* Effect.logDebug(`recorded ${batch.length} ended call(s): ${retries} retry scheduled, ${removed} of leads removed during the call`)
      }
      yield* nudges.nudge
    })

    return {
      /**
       * Hand an ended call over (from its follower). Synchronous, not an `Effect.fn`: a follower
       * calls it from its event callback, once per call.
       */
      offer: (held: Held, outcome: CallOutcome): void => {
        Queue.unsafeOffer(ended, { held, outcome })
      },
      run: Effect.fn("leadq/worker/Finisher.run")(function*() {
        while (true) yield* writeBatch
      })
    }
  })
}) {}
