import { LeadQueue } from "@leadq/domain"
import { Clock, Effect, Option } from "effect"
import { Dialer } from "./Dialer.js"
import { Holdings } from "./Holdings.js"
import { Nudges } from "./Nudges.js"
import { LOOP_TRIES, retryingStore } from "./StoreRetries.js"
import { WorkerConfig } from "./WorkerConfig.js"

/**
 * The claim loop takes due leads (never more than `max_in_flight` held at once) and hands them to
 * the dialer. It wakes on its poll interval, on nudges (queue wake-ups, calls recorded, dials
 * cancelled), when the next lead falls due, and at once after a full batch. A store that keeps
 * refusing the claim (past `LOOP_TRIES`) fails the loop, hence the worker.
 */
export class ClaimLoop extends Effect.Service<ClaimLoop>()("leadq/worker/ClaimLoop", {
  effect: Effect.gen(function*() {
    const config = yield* WorkerConfig
    const queue = yield* LeadQueue
    const holdings = yield* Holdings
    const dialer = yield* Dialer
    const nudges = yield* Nudges

    /**
     * How long to sleep after a claim that left slots free: until the next lead falls due, at
     * most the poll interval. A lead that fell due after the claim looked (`claimedAt`) is claimed
     * at once; one that was due before and still not taken is held back by something else (its
     * campaign's concurrency, its calling window) and waits for a wake-up or the next poll.
     */
    const idleWait = Effect.fn("leadq/worker/ClaimLoop.idleWait")(function*(claimedAt: number) {
      const next = yield* retryingStore("looking for the next due lead", queue.nextDueAt, LOOP_TRIES)
      if (Option.isNone(next)) return config.poll_interval_ms
      const due = next.value.getTime()
      if (due <= claimedAt) return config.poll_interval_ms
      const now = yield* Clock.currentTimeMillis
      return Math.min(Math.max(0, due - now), config.poll_interval_ms)
    })

    /** Claim up to `free` due leads; claimed leads always reach the dialer, even if shutdown interrupts meanwhile. */
    const claim = Effect.fn("leadq/worker/ClaimLoop.claim")(function*(free: number) {
      return yield* retryingStore(
        "claiming",
        Effect.uninterruptible(Effect.gen(function*() {
          const claims = yield* queue.claimDue({ worker_id: config.worker_id, limit: free, lease_ms: config.lease_ms })
          holdings.claimed(claims)
          yield* dialer.submit(claims)
          return claims.length
        })),
        LOOP_TRIES
      )
    })

    /**
     * While the dialer still has claims waiting, a claim is made only once this many slots are
     * free: each claim is a transaction (on SQLite an fsync), and taking back one freed slot at a
     * time after every finished call would cost one per lead.
     */
    const claimBatch = Math.max(1, Math.ceil(config.max_in_flight / 4))

    return {
      run: Effect.fn("leadq/worker/ClaimLoop.run")(function*() {
        while (true) {
          const free = config.max_in_flight - holdings.size
          const waiting = yield* dialer.waiting
          const worthIt = free > 0 && (waiting === 0 || free >= claimBatch)
          const claimedAt = yield* Clock.currentTimeMillis
          const claimed = worthIt ? yield* claim(free) : 0
          // A full batch: more may be due right now.
          if (worthIt && claimed === free) continue
          yield* nudges.wait(worthIt ? yield* idleWait(claimedAt) : config.poll_interval_ms)
        }
      })
    }
  })
}) {}
