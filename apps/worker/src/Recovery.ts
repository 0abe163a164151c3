import type { Dial, ExpiredClaim } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { CallEvent, Carrier } from "@leadq/telephony"
import { Duration, Effect, Option, Stream } from "effect"
import { CallFollower, workerLost } from "./CallFollower.js"
import { Holdings } from "./Holdings.js"
import { LeaseKeeper } from "./LeaseKeeper.js"
import { LOOP_TRIES, retryingStore } from "./StoreRetries.js"
import { WorkerConfig } from "./WorkerConfig.js"

/**
 * The sweeper of docs/design.md §5: every `sweep_interval_ms` it looks for claims whose lease ran
 * out (their worker died or stalled) and takes each over under a new claim id (the fencing token).
 * A claim never dialled goes back to its slot; a dialled one is settled by asking the carrier what
 * became of its call — never by dialling it again. One claim that cannot be taken over is tried
 * again at the next sweep; a store that keeps refusing to list them fails the loop, hence the worker.
 */
export class Recovery extends Effect.Service<Recovery>()("leadq/worker/Recovery", {
  effect: Effect.gen(function*() {
    const config = yield* WorkerConfig
    const queue = yield* LeadQueue
    const carrier = yield* Carrier
    const holdings = yield* Holdings
    const leases = yield* LeaseKeeper
    const follower = yield* CallFollower

    /** What became of the call of a dial taken over: the carrier's answer, followed to its end. */
    const settle = (dial: Dial, dialledAt: Date, from: string | null, onEvent: (event: CallEvent) => Effect.Effect<void>) =>
      Effect.gen(function*() {
        const fate = yield* carrier.lookup({
          call_id: dial.call_id,
          lead_id: dial.lead_id,
          campaign_id: dial.campaign_id,
          attempt: dial.attempt,
          dialled_at: dialledAt
        })
        yield* Effect.logInfo(`recovered a claim of ${from ?? "an unknown worker"}: the carrier says ${fate._tag}`)
        switch (fate._tag) {
          case "Ended":
            return yield* onEvent(CallEvent.Ended({ outcome: fate.outcome }))
          case "InProgress":
            return yield* Stream.runForEach(fate.events, onEvent)
          case "Unknown":
            return yield* onEvent(CallEvent.Ended({ outcome: yield* workerLost }))
        }
      }).pipe(Effect.annotateLogs({ lead_id: dial.lead_id, call_id: dial.call_id, attempt: dial.attempt }))

    const recoverOne = Effect.fn("leadq/worker/Recovery.recoverOne")(function*(expired: ExpiredClaim) {
      const taken = yield* queue.recover(expired, config.worker_id, config.lease_ms).pipe(
        Effect.catchTag("StaleClaim", () => Effect.succeed(Option.none<Dial>())),
        Effect.catchAllDefect((defect) => Effect.as(Effect.logError("recovering a claim failed", defect), Option.none<Dial>())),
        Effect.annotateLogs({ lead_id: expired.lead_id })
      )
      if (Option.isNone(taken)) return
      const dial = taken.value
      const dialledAt = Option.match(expired.dial, { onNone: () => dial.lease_expires_at, onSome: (d) => d.created_at })
      const { held, previous } = holdings.hold(dial)
      // This worker's own claim, expired while it stalled: its old follower must stop.
      if (previous !== undefined) yield* leases.dropStale(previous)
      yield* follower.follow(held, settle(dial, dialledAt, expired.worker_id, follower.onEventOf(held)))
    })

    return {
      recoverOne,
      run: Effect.fn("leadq/worker/Recovery.run")(function*() {
        while (true) {
          yield* Effect.sleep(Duration.millis(config.sweep_interval_ms))
          const expired = yield* retryingStore("looking for expired claims", queue.expiredClaims(100), LOOP_TRIES)
          for (const e of expired) yield* recoverOne(e)
        }
      })
    }
  })
}) {}
