import type { Claim, Dial } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import type { DialRequest } from "@leadq/telephony"
import { Carrier } from "@leadq/telephony"
import { Chunk, Effect, Either, Option, Queue } from "effect"
import { CallFollower } from "./CallFollower.js"
import { Holdings } from "./Holdings.js"
import { Nudges } from "./Nudges.js"
import { LOOP_TRIES, retryingStore } from "./StoreRetries.js"
import { WorkerConfig } from "./WorkerConfig.js"

/**
 * The dialer takes every claim waiting (up to the dial batch: the carrier's preference, or
 * `LEADQ_DIAL_BATCH`) and starts them with one `startDials` — the store's re-check and the call
 * logs, committed — and only then asks the carrier to place the started calls, one by one, in
 * claim order; each call is then followed by a fiber of its own (`CallFollower`). At shutdown
 * (`stop`) the claims still waiting are given back; the batch being placed is placed.
 */
export class Dialer extends Effect.Service<Dialer>()("leadq/worker/Dialer", {
  effect: Effect.gen(function*() {
    const config = yield* WorkerConfig
    const queue = yield* LeadQueue
    const carrier = yield* Carrier
    const holdings = yield* Holdings
    const nudges = yield* Nudges
    const follower = yield* CallFollower
    /** Claims waiting for the dialer; `None` tells it to stop. */
    const toDial = yield* Queue.unbounded<Option.Option<Claim>>()
    const dialBatch = Math.max(1, Math.min(config.dial_batch ?? carrier.dial_batch, config.max_in_flight))
    let stopping = false
    let released = 0

    const requestOf = (dial: Dial): DialRequest => ({
      call_id: dial.call_id,
      lead_id: dial.lead_id,
      campaign_id: dial.campaign_id,
      organization_id: dial.organization_id,
      attempt: dial.attempt,
      phone_number: dial.phone_number,
      from_phone_number: dial.from_phone_number,
      agent_id: dial.agent_id,
      name: dial.name,
      notes: dial.notes,
      worker_id: config.worker_id
    })

    /** Give a claim back before its dial: the lead keeps its slot. */
    const giveBack = Effect.fn("leadq/worker/Dialer.giveBack")(function*(claim: Claim) {
      yield* queue.release(claim).pipe(
        Effect.zipRight(Effect.sync(() => released++)),
        Effect.catchTag("StaleClaim", () => Effect.void),
        Effect.catchAllDefect((defect) => Effect.logError("giving a claim back failed; its lease will run out", defect)),
        Effect.ensuring(Effect.sync(() => holdings.letGo(claim))),
        Effect.annotateLogs({ lead_id: claim.lead_id })
      )
    })

    /**
     * Start a batch of dials in one transaction, then place the started calls in claim order.
     * Every dial of the batch is logged once `startDials` returns, so shutdown waits for the
     * batch to be placed (see `Worker`) rather than leave logged calls unplaced. (Not by making
     * this uninterruptible: the carrier's own timeouts could not interrupt a request then.) A
     * store that keeps refusing `startDials`, or a carrier whose `place` dies (it never fails:
     * a call it cannot place is a call that ends `failed`), fails the dialer, hence the worker.
     */
    const dialBatchOf = Effect.fn("leadq/worker/Dialer.dialBatch")(function*(claims: ReadonlyArray<Claim>) {
      const answers = yield* retryingStore("starting dials", queue.startDials(claims, config.lease_ms), LOOP_TRIES)
      const notPlaced = new Map<string, number>()
      for (const [i, answer] of answers.entries()) {
        const claim = claims[i]!
        if (Either.isLeft(answer)) {
          const refusal = answer.left
          const reason = refusal._tag === "DialCancelled" ? refusal.reason : "claim_taken_over"
          notPlaced.set(reason, (notPlaced.get(reason) ?? 0) + 1)
          holdings.letGo(claim)
          continue
        }
        const dial = answer.right
        const held = holdings.get(claim) ?? holdings.hold(dial).held
        held.dial = dial
        // The call log is committed: from here the carrier may be asked (invariant 3).
        const call = yield* carrier.place(requestOf(dial))
        yield* follower.follow(held, call.follow(follower.onEventOf(held)))
      }
      if (notPlaced.size > 0) {
        yield* Effect.logInfo(`dials not placed: ${Array.from(notPlaced, ([reason, n]) => `${n} × ${reason}`).join(", ")}`)
        yield* nudges.nudge
      }
    })

    return {
      dial_batch: dialBatch,
      /** Claims for the dialer, in claim order. */
      submit: Effect.fn("leadq/worker/Dialer.submit")(function*(claims: ReadonlyArray<Claim>) {
        yield* Queue.offerAll(toDial, claims.map(Option.some))
      }),
      /** How many claims wait for the dialer. */
      waiting: Queue.size(toDial),
      /** Claims given back so far (shutdown). */
      released: Effect.sync(() => released),
      run: Effect.fn("leadq/worker/Dialer.run")(function*() {
        while (true) {
          const first = yield* Queue.take(toDial)
          const taken = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(toDial, dialBatch - 1))]
          const end = taken.findIndex(Option.isNone)
          const claims = (end === -1 ? taken : taken.slice(0, end)).flatMap(Option.toArray)
          // The last claims waiting: the claim loop may want to claim more (see `ClaimLoop`).
          if ((yield* Queue.size(toDial)) === 0) yield* nudges.nudge
          if (stopping) {
            for (const claim of claims) yield* giveBack(claim)
          } else if (claims.length > 0) {
            yield* dialBatchOf(claims)
          }
          if (end !== -1) return
        }
      }),
      /**
       * Shutdown: claims still waiting are given back now; the dialer finishes the batch it is
       * placing (any claim it takes after this is given back too), then `run` returns.
       */
      stop: Effect.fn("leadq/worker/Dialer.stop")(function*() {
        stopping = true
        const queued = yield* Queue.takeAll(toDial)
        for (const claim of queued) if (Option.isSome(claim)) yield* giveBack(claim.value)
        yield* Queue.offer(toDial, Option.none())
      })
    }
  })
}) {}
