import { LeadQueue } from "@leadq/domain"
import { Duration, Effect, Fiber } from "effect"
import type { Held } from "./Holdings.js"
import { Holdings } from "./Holdings.js"
import { WorkerConfig } from "./WorkerConfig.js"

/**
 * One lease keeper per worker: every third of the lease, every claim the worker holds — waiting
 * for the dialer, in a call, or ended and waiting to be written — is renewed in one statement
 * (`renewLeases`). A claim found stale is dropped: its follower stops, nothing more is written
 * for it. A call that ended is the finisher's to settle (`finishCalls` answers it stale), so it
 * is left alone here. A renewal that fails is not fatal: the next one comes before the lease runs
 * out.
 */
export class LeaseKeeper extends Effect.Service<LeaseKeeper>()("leadq/worker/LeaseKeeper", {
  effect: Effect.gen(function*() {
    const queue = yield* LeadQueue
    const holdings = yield* Holdings
    const { lease_ms } = yield* WorkerConfig

    /**
     * Let go of a lead whose claim turned out stale (taken over by recovery after our lease ran
     * out, or voided by a removal before its dial): stop following its call, write nothing more.
     */
    const dropStale = Effect.fn("leadq/worker/LeaseKeeper.dropStale")(function*(held: Held) {
      holdings.letGo(held.ref)
      if (held.follower !== undefined) yield* Fiber.interruptFork(held.follower)
      if (held.dial !== undefined) {
        yield* Effect.logWarning("claim taken over by another worker (stale fencing token): leaving the lead alone").pipe(
          Effect.annotateLogs({ lead_id: held.ref.lead_id, call_id: held.dial.call_id, attempt: held.dial.attempt })
        )
      }
    })

    const renewAll = Effect.gen(function*() {
      const refs = holdings.refs()
      if (refs.length === 0) return
      const stale = yield* queue.renewLeases(refs, lease_ms).pipe(
        Effect.catchAllDefect((d) => Effect.as(Effect.logWarning("lease renewal failed", d), []))
      )
      for (const ref of stale) {
        const held = holdings.get(ref)
        if (held !== undefined && !held.ended) yield* dropStale(held)
      }
    })

    return {
      dropStale,
      run: Effect.fn("leadq/worker/LeaseKeeper.run")(function*() {
        while (true) {
          yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(lease_ms / 3))))
          yield* renewAll
        }
      })
    }
  })
}) {}
