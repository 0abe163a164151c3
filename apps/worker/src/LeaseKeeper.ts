import { LeadQueue } from "@leadq/domain"
import { Clock, Duration, Effect, Fiber, Queue } from "effect"
import { logCause, retryingStore } from "./CallFollower.js"
import type { Held, Holdings } from "./Holdings.js"

/**
 * Let go of a lead whose claim turned out stale (taken over by recovery after our lease ran out,
 * or voided by a removal before its dial): stop following its call and write nothing more for it.
 */
export const dropStale = (holdings: Holdings, held: Held) =>
  Effect.gen(function*() {
    holdings.letGo(held.ref)
    if (held.follower !== undefined) yield* Fiber.interruptFork(held.follower)
    if (held.dial !== undefined) {
      yield* Effect.logWarning("claim taken over by another worker (stale fencing token): leaving the lead alone").pipe(
        Effect.annotateLogs({ lead_id: held.ref.lead_id, call_id: held.dial.call_id, attempt: held.dial.attempt })
      )
    }
  })

/**
 * One lease keeper per worker: every third of the lease, every claim the worker holds — waiting
 * for the dialer, in a call, or ended and waiting to be written — is renewed in one statement
 * (`renewLeases`). A claim found stale is dropped: its follower stops, nothing more is written
 * for it. A call that ended is the finisher's to settle (`finishCalls` answers it stale), so it
 * is left alone here. A renewal that fails is not fatal: the next one comes before the lease runs
 * out.
 */
export const runLeaseKeeper = (holdings: Holdings, leaseMs: number) =>
  Effect.flatMap(LeadQueue, (queue) =>
    Effect.forever(
      Effect.gen(function*() {
        yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(leaseMs / 3))))
        const refs = holdings.refs()
        if (refs.length === 0) return
        const stale = yield* queue.renewLeases(refs, leaseMs).pipe(
          Effect.catchAllDefect((d) => Effect.as(Effect.logWarning("lease renewal failed", d), []))
        )
        for (const ref of stale) {
          const held = holdings.get(ref)
          if (held !== undefined && !held.ended) yield* dropStale(holdings, held)
        }
      })
    ))

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
 * gets its log moved to `in_progress` (`markConnected`), in the order the calls connected.
 */
export const makeConnectedMarks = (holdings: Holdings) =>
  Effect.gen(function*() {
    const queue = yield* LeadQueue
    const marks = yield* Queue.unbounded<ConnectedMark>()

    const markOne = Effect.gen(function*() {
      const { at, due, held } = yield* Queue.take(marks)
      const now = yield* Clock.currentTimeMillis
      if (due > now) yield* Effect.sleep(Duration.millis(due - now))
      if (held.ended || held.dial === undefined || holdings.get(held.ref) !== held) return
      yield* retryingStore("marking the call connected", queue.markConnected(held.dial, at)).pipe(
        Effect.catchTag("StaleClaim", () => dropStale(holdings, held)),
        Effect.catchAllCause(logCause("marking the call connected failed")),
        Effect.annotateLogs({ lead_id: held.ref.lead_id })
      )
    })

    return {
      /** The callee of this call answered (from its follower). */
      offer: (held: Held, at: Date): void => {
        Queue.unsafeOffer(marks, { held, at, due: at.getTime() + MARK_CONNECTED_AFTER_MS })
      },
      run: Effect.forever(markOne)
    }
  })
