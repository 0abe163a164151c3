import type { CarrierEvents, Claim, Dial, ExpiredClaim } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { QueueWakeups } from "@leadq/store"
import type { DialRequest } from "@leadq/telephony"
import { CallEvent, Carrier } from "@leadq/telephony"
import type { ConfigError } from "effect"
import { Chunk, Clock, Duration, Effect, Either, Fiber, Layer, Option, Queue, Ref, Stream } from "effect"
import type { CallSinks } from "./CallFollower.js"
import { logCause, onEventOf, workerLost } from "./CallFollower.js"
import { CarrierFromConfig } from "./CarrierFromConfig.js"
import { makeFinisher } from "./Finisher.js"
import type { Held } from "./Holdings.js"
import { Holdings } from "./Holdings.js"
import { dropStale, makeConnectedMarks, runLeaseKeeper } from "./LeaseKeeper.js"
import { describeSettings, WorkerConfig, WorkerConfigFromEnv } from "./WorkerConfig.js"

/**
 * The dialing worker of docs/design.md §5, for the life of its scope. Built around batches, so
 * that a thousand leads a second cost a few transactions a second rather than four per lead:
 *
 * - the claim loop takes due leads (never more than `max_in_flight` held at once) and hands them
 *   to the dialer; it wakes on its poll interval, on queue wake-ups (in-process, or PostgreSQL
 *   NOTIFY), when calls were recorded, and when the next lead falls due;
 * - the dialer takes every claim waiting (up to the dial batch: the carrier's preference, or
 *   `LEADQ_DIAL_BATCH`) and starts them with one `startDials` — the store's re-check and the
 *   call logs, committed — and only then asks the carrier to place the started calls, one by
 *   one, in claim order; each call is then followed by a fiber of its own;
 * - the finisher writes ended calls in batches (`finishCalls`); the connected marks move a call
 *   still going a moment after it was answered to `in_progress`; the lease keeper renews every
 *   claim the worker holds in one statement every third of the lease and stops following the
 *   calls of claims found stale;
 * - the sweeper recovers expired claims, asking the carrier what became of their calls;
 * - closing the scope (SIGTERM) stops claiming and sweeping, gives back claims not yet dialled,
 *   lets the dialer finish the batch it is placing and calls in progress finish within the
 *   shutdown grace, then leaves the rest to recovery.
 */
export const runWorker = Effect.gen(function*() {
  const config = yield* WorkerConfig
  const queue = yield* LeadQueue
  const carrier = yield* Carrier
  const wakeups = yield* QueueWakeups

  const stopping = yield* Ref.make(false)
  const holdings = new Holdings()
  const nudges = yield* Queue.sliding<void>(1)
  /** Claims waiting for the dialer; `None` tells it to stop. */
  const toDial = yield* Queue.unbounded<Option.Option<Claim>>()
  const released = yield* Ref.make(0)
  const nudge = Queue.offer(nudges, undefined)
  const dialBatch = Math.max(1, Math.min(config.dial_batch ?? carrier.dial_batch, config.max_in_flight))

  const finisher = yield* makeFinisher(holdings, nudge)
  const marks = yield* makeConnectedMarks(holdings)
  const sinks: CallSinks = { connected: marks.offer, ended: finisher.offer }

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

  /**
   * Follow a call in a fiber of its own. A daemon: a call outlives the dialer batch that placed
   * it; the lease keeper interrupts it when its claim goes stale, and shutdown when the grace is
   * over. A follower that fails lets the lead go: its lease runs out and recovery settles it.
   */
  const startFollowing = (held: Held, follow: Effect.Effect<void>) =>
    Effect.map(
      Effect.forkDaemon(
        Effect.interruptible(follow).pipe(
          Effect.catchAllCause((cause) =>
            Effect.zipRight(
              logCause("following a call failed; left to recovery")(cause),
              Effect.sync(() => holdings.letGo(held.ref))
            )
          )
        )
      ),
      (fiber) => {
        held.follower = fiber
      }
    )

  /** Give a claim back before its dial: the lead keeps its slot. */
  const giveBack = (claim: Claim) =>
    queue.release(claim).pipe(
      Effect.zipRight(Ref.update(released, (n) => n + 1)),
      Effect.catchTag("StaleClaim", () => Effect.void),
      Effect.catchAllCause(logCause("giving a claim back failed; its lease will run out")),
      Effect.ensuring(Effect.sync(() => holdings.letGo(claim))),
      Effect.annotateLogs({ lead_id: claim.lead_id })
    )

  /**
   * Start a batch of dials in one transaction, then place the started calls in claim order.
   * Every dial of the batch is logged once `startDials` returns, so shutdown waits for the batch
   * to be placed (see the finalizer) rather than leave logged calls unplaced. (Not by making this
   * uninterruptible: the carrier's own timeouts could not interrupt a request then.)
   */
  const dialBatchOf = (claims: ReadonlyArray<Claim>) =>
    Effect.gen(function*() {
      const answers = yield* queue.startDials(claims, config.lease_ms).pipe(
        Effect.catchAllCause((cause) => Effect.as(logCause("starting dials failed; their leases will run out")(cause), undefined))
      )
      if (answers === undefined) {
        for (const claim of claims) holdings.letGo(claim)
        return yield* nudge
      }
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
        const call = yield* carrier.place(requestOf(dial)).pipe(
          Effect.catchAllCause((cause) => Effect.as(logCause("placing a call failed; left to recovery")(cause), undefined))
        )
        if (call === undefined) {
          holdings.letGo(claim)
          continue
        }
        yield* startFollowing(held, call.follow(onEventOf(held, sinks)))
      }
      if (notPlaced.size > 0) {
        yield* Effect.logInfo(`dials not placed: ${Array.from(notPlaced, ([reason, n]) => `${n} × ${reason}`).join(", ")}`)
        yield* nudge
      }
    })

  const dialer = Effect.gen(function*() {
    while (true) {
      const first = yield* Queue.take(toDial)
      const taken = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(toDial, dialBatch - 1))]
      const end = taken.findIndex(Option.isNone)
      const claims = (end === -1 ? taken : taken.slice(0, end)).flatMap(Option.toArray)
      // The last claims waiting: the claim loop may want to claim more (see `claimBatch`).
      if ((yield* Queue.size(toDial)) === 0) yield* nudge
      if (yield* Ref.get(stopping)) {
        for (const claim of claims) yield* giveBack(claim)
      } else if (claims.length > 0) {
        yield* dialBatchOf(claims).pipe(
          Effect.catchAllCause((cause) =>
            Effect.zipRight(
              logCause("dialling failed; the batch's leads not yet placed are left to recovery")(cause),
              // Not held any more, so not renewed: their leases run out and the sweeper settles them.
              Effect.sync(() => {
                for (const claim of claims) if (holdings.get(claim)?.follower === undefined) holdings.letGo(claim)
              })
            )
          )
        )
      }
      if (end !== -1) return
    }
  })

  /**
   * How long to sleep after a claim that left slots free: until the next lead falls due, at most
   * the poll interval. A lead that fell due after the claim looked (`claimedAt`) is claimed at
   * once; one that was due before and still not taken is held back by something else (its
   * campaign's concurrency, its calling window) and waits for a wake-up or the next poll.
   */
  const idleWait = (claimedAt: number) =>
    Effect.gen(function*() {
      const next = yield* queue.nextDueAt.pipe(Effect.catchAllCause(() => Effect.succeed(Option.none<Date>())))
      if (Option.isNone(next)) return config.poll_interval_ms
      const due = next.value.getTime()
      if (due <= claimedAt) return config.poll_interval_ms
      const now = yield* Clock.currentTimeMillis
      return Math.min(Math.max(0, due - now), config.poll_interval_ms)
    })

  /**
   * While the dialer still has claims waiting, a claim is made only once this many slots are
   * free: each claim is a transaction (on SQLite an fsync), and taking back one freed slot at a
   * time after every finished call would cost one per lead.
   */
  const claimBatch = Math.max(1, Math.ceil(config.max_in_flight / 4))

  const claimLoop = Effect.gen(function*() {
    while (true) {
      const free = config.max_in_flight - holdings.size
      const waiting = yield* Queue.size(toDial)
      const worthIt = free > 0 && (waiting === 0 || free >= claimBatch)
      let claimed = 0
      const claimedAt = yield* Clock.currentTimeMillis
      if (worthIt) {
        // Claimed leads always reach the dialer, even if shutdown interrupts this loop meanwhile.
        claimed = yield* Effect.uninterruptible(
          Effect.gen(function*() {
            const claims = yield* queue.claimDue({ worker_id: config.worker_id, limit: free, lease_ms: config.lease_ms }).pipe(
              Effect.catchAllCause((cause) => Effect.as(logCause("claiming failed")(cause), [] as ReadonlyArray<Claim>))
            )
            holdings.claimed(claims)
            yield* Queue.offerAll(toDial, claims.map(Option.some))
            return claims.length
          })
        )
      }
      // A full batch: more may be due right now.
      if (worthIt && claimed === free) continue
      const wait = worthIt ? yield* idleWait(claimedAt) : config.poll_interval_ms
      yield* Effect.ignore(Effect.timeout(Queue.take(nudges), Duration.millis(wait)))
    }
  })

  const recoverOne = (expired: ExpiredClaim) =>
    Effect.gen(function*() {
      const taken = yield* queue.recover(expired, config.worker_id, config.lease_ms).pipe(
        Effect.catchTag("StaleClaim", () => Effect.succeed(Option.none<Dial>()))
      )
      if (Option.isNone(taken)) return
      const dial = taken.value
      const dialledAt = Option.match(expired.dial, { onNone: () => dial.lease_expires_at, onSome: (d) => d.created_at })
      const { held, previous } = holdings.hold(dial)
      // This worker's own claim, expired while it stalled: its old follower must stop.
      if (previous !== undefined) yield* dropStale(holdings, previous)
      const onEvent = onEventOf(held, sinks)
      yield* startFollowing(
        held,
        Effect.gen(function*() {
          const fate = yield* carrier.lookup({
            call_id: dial.call_id,
            lead_id: dial.lead_id,
            campaign_id: dial.campaign_id,
            attempt: dial.attempt,
            dialled_at: dialledAt
          })
          yield* Effect.logInfo(`recovered a claim of ${expired.worker_id ?? "an unknown worker"}: the carrier says ${fate._tag}`)
          switch (fate._tag) {
            case "Ended":
              return yield* onEvent(CallEvent.Ended({ outcome: fate.outcome }))
            case "InProgress":
              return yield* Stream.runForEach(fate.events, onEvent)
            case "Unknown":
              return yield* onEvent(CallEvent.Ended({ outcome: yield* workerLost }))
          }
        }).pipe(Effect.annotateLogs({ lead_id: dial.lead_id, call_id: dial.call_id, attempt: dial.attempt }))
      )
    }).pipe(Effect.catchAllCause(logCause("recovering a claim failed")), Effect.annotateLogs({ lead_id: expired.lead_id }))

  const sweeper = Effect.forever(
    Effect.gen(function*() {
      yield* Effect.sleep(Duration.millis(config.sweep_interval_ms))
      const expired = yield* queue.expiredClaims(100).pipe(
        Effect.catchAllCause((cause) => Effect.as(logCause("looking for expired claims failed")(cause), [] as ReadonlyArray<ExpiredClaim>))
      )
      for (const e of expired) yield* recoverOne(e)
    })
  )

  yield* Effect.logInfo("worker starting", { ...describeSettings(config), dial_batch: dialBatch })
  yield* Effect.forkScoped(Stream.runForEach(wakeups.wakeups, () => nudge).pipe(Effect.catchAllCause(logCause("wake-ups stopped"))))
  yield* Effect.forkScoped(finisher.run)
  yield* Effect.forkScoped(marks.run)
  yield* Effect.forkScoped(runLeaseKeeper(holdings, config.lease_ms))
  const dialerFiber = yield* Effect.forkScoped(dialer)
  const claimFiber = yield* Effect.forkScoped(claimLoop)
  const sweepFiber = yield* Effect.forkScoped(sweeper)

  // Runs before the fibers above are interrupted (finalizers run in reverse order of addition).
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* Ref.set(stopping, true)
      yield* Fiber.interrupt(claimFiber)
      yield* Fiber.interrupt(sweepFiber)
      const inCalls = holdings.all().filter((h) => h.dial !== undefined).length
      yield* Effect.logInfo(`worker stopping: no new claims; ${inCalls} call(s) in progress get up to ${config.shutdown_grace_ms} ms`)
      // Claims still queued are given back now; the dialer finishes the batch it is placing
      // (any claim it takes after this sees `stopping` and is given back too), then stops.
      const queued = yield* Queue.takeAll(toDial)
      for (const claim of queued) if (Option.isSome(claim)) yield* giveBack(claim.value)
      yield* Queue.offer(toDial, Option.none())
      // The batch being placed is placed whatever the grace: its calls are logged already.
      yield* Fiber.await(dialerFiber)
      const drained = config.shutdown_grace_ms <= 0
        ? false
        : yield* holdings.emptied.pipe(
          Effect.timeoutTo({ duration: Duration.millis(config.shutdown_grace_ms), onSuccess: () => true, onTimeout: () => false })
        )
      // Calls still going are left to recovery: their followers stop, their leases run out.
      const left = holdings.all()
      for (const held of left) if (held.follower !== undefined) yield* Fiber.interruptFork(held.follower)
      yield* Effect.logInfo(
        `worker stopped: ${yield* Ref.get(released)} claim(s) given back` +
          (drained ? "" : `; ${left.length} call(s) still going are left to recovery when their lease runs out`)
      )
    })
  )
}).pipe(Effect.annotateLogs({ service: "leadq-worker" }))

/** The worker with the carrier and settings it is given (tests, embedding). */
export const WorkerRunner: Layer.Layer<never, never, WorkerConfig | Carrier | LeadQueue | QueueWakeups> = Layer.scopedDiscard(
  Effect.flatMap(WorkerConfig, (config) => Effect.annotateLogs(runWorker, { worker_id: config.worker_id }))
)

/**
 * The worker as the apps compose it: settings from the environment (validated at start-up), the
 * carrier they select, and the store's services from below. Runs for the life of the layer.
 */
export const WorkerLive: Layer.Layer<never, ConfigError.ConfigError, LeadQueue | CarrierEvents | QueueWakeups> = WorkerRunner.pipe(
  Layer.provide(CarrierFromConfig),
  Layer.provide(WorkerConfigFromEnv)
)
