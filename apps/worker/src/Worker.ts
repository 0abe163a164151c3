import type { CarrierEvents, Claim, Dial, ExpiredClaim } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { QueueWakeups } from "@leadq/store"
import type { DialRequest } from "@leadq/telephony"
import { Carrier } from "@leadq/telephony"
import type { ConfigError } from "effect"
import { Cause, Clock, Deferred, Duration, Effect, Fiber, FiberSet, Layer, Option, Queue, Ref, Stream } from "effect"
import { finish, record, underLease, workerLost } from "./CallFollower.js"
import { CarrierFromConfig } from "./CarrierFromConfig.js"
import { describeSettings, WorkerConfig, WorkerConfigFromEnv } from "./WorkerConfig.js"

/**
 * The dialing worker of DESIGN section 5, for the life of its scope:
 *
 * - the claim loop takes due leads (never more than `max_in_flight` held at once) and hands them
 *   to the dialer; it wakes on its poll interval, on queue wake-ups (in-process, or PostgreSQL
 *   NOTIFY) and when the next lead falls due;
 * - the dialer places calls one at a time, in claim order (carriers limit calls per second): the
 *   store's `startDial` re-checks the lead and writes the call log, and only then is the carrier
 *   asked to dial; each call is then followed by its own fiber, under a renewed lease;
 * - the sweeper recovers expired claims, asking the carrier what became of their calls;
 * - closing the scope (SIGTERM) stops claiming and sweeping, gives back claims not yet dialled,
 *   lets calls in progress finish within the shutdown grace, then leaves the rest to recovery.
 */
export const runWorker = Effect.gen(function*() {
  const config = yield* WorkerConfig
  const queue = yield* LeadQueue
  const carrier = yield* Carrier
  const wakeups = yield* QueueWakeups
  const context = yield* Effect.context<LeadQueue>()

  const stopping = yield* Ref.make(false)
  /** Leads this worker holds: claimed, being dialled, in a call or being recovered. */
  const held = yield* Ref.make(0)
  const nudges = yield* Queue.sliding<void>(1)
  /** Claims waiting for the dialer; `None` tells it to stop. */
  const toDial = yield* Queue.unbounded<Option.Option<Claim>>()
  const calls = yield* FiberSet.make<void, never>()
  const released = yield* Ref.make(0)

  const nudge = Queue.offer(nudges, undefined)
  const letGo = Effect.zipRight(Ref.update(held, (n) => n - 1), nudge)
  const logCause = (what: string) => (cause: Cause.Cause<unknown>) =>
    Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError(what, cause)

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

  /** Run a call's follower in the background, counted until it ends. */
  const follow = (effect: Effect.Effect<void, never, LeadQueue>) =>
    FiberSet.run(
      calls,
      effect.pipe(Effect.catchAllCause(logCause("following a call failed")), Effect.ensuring(letGo), Effect.provide(context))
    )

  /** Give a claim back before its dial: the lead keeps its slot. */
  const giveBack = (claim: Claim) =>
    queue.release(claim).pipe(
      Effect.zipRight(Ref.update(released, (n) => n + 1)),
      Effect.catchTag("StaleClaim", () => Effect.void),
      Effect.catchAllCause(logCause("giving a claim back failed; its lease will run out")),
      Effect.ensuring(letGo),
      Effect.annotateLogs({ lead_id: claim.lead_id })
    )

  const dialOne = Effect.fn("leadq/Worker.dial")(function*(claim: Claim) {
    if (yield* Ref.get(stopping)) return yield* giveBack(claim)
    const started = yield* queue.startDial(claim, config.lease_ms).pipe(
      Effect.map(Option.some),
      Effect.catchTags({
        DialCancelled: (e) => Effect.as(Effect.logInfo(`dial not placed: ${e.reason}`), Option.none<Dial>()),
        StaleClaim: () => Effect.as(Effect.logWarning("claim taken over before its dial"), Option.none<Dial>())
      }),
      Effect.catchAllCause((cause) => Effect.as(logCause("starting the dial failed; the lease will run out")(cause), Option.none<Dial>())),
      Effect.annotateLogs({ lead_id: claim.lead_id })
    )
    if (Option.isNone(started)) return yield* letGo
    const dial = started.value
    // The call log is committed: from here the carrier may be asked (invariant 3).
    const placed = yield* Deferred.make<void>()
    yield* follow(
      underLease(
        dial,
        config.lease_ms,
        Effect.gen(function*() {
          const call = yield* carrier.place(requestOf(dial))
          yield* Deferred.succeed(placed, undefined)
          yield* Effect.logDebug("dialled")
          yield* record(dial, call.events)
        })
      ).pipe(Effect.ensuring(Deferred.succeed(placed, undefined)))
    )
    // One placement at a time, in claim order.
    yield* Deferred.await(placed)
  })

  const dialer = Effect.gen(function*() {
    while (true) {
      const next = yield* Queue.take(toDial)
      if (Option.isNone(next)) return
      // The last claim waiting: the claim loop may want to claim more (see `claimBatch`).
      if ((yield* Queue.size(toDial)) === 0) yield* nudge
      yield* dialOne(next.value).pipe(Effect.catchAllCause(logCause("dialling failed")))
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
      const free = config.max_in_flight - (yield* Ref.get(held))
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
            yield* Ref.update(held, (n) => n + claims.length)
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
      yield* Ref.update(held, (n) => n + 1)
      yield* follow(
        underLease(
          dial,
          config.lease_ms,
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
                return yield* Effect.asVoid(finish(dial, fate.outcome))
              case "InProgress":
                return yield* record(dial, fate.events)
              case "Unknown":
                return yield* Effect.asVoid(finish(dial, yield* workerLost))
            }
          })
        )
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

  yield* Effect.logInfo("worker starting", describeSettings(config))
  yield* Effect.forkScoped(Stream.runForEach(wakeups.wakeups, () => nudge).pipe(Effect.catchAllCause(logCause("wake-ups stopped"))))
  const dialerFiber = yield* Effect.forkScoped(dialer)
  const claimFiber = yield* Effect.forkScoped(claimLoop)
  const sweepFiber = yield* Effect.forkScoped(sweeper)

  // Runs before the fibers above are interrupted (finalizers run in reverse order of addition).
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* Ref.set(stopping, true)
      yield* Fiber.interrupt(claimFiber)
      yield* Fiber.interrupt(sweepFiber)
      const inCalls = yield* FiberSet.size(calls)
      yield* Effect.logInfo(`worker stopping: no new claims; ${inCalls} call(s) in progress get up to ${config.shutdown_grace_ms} ms`)
      // Claims still queued are given back now; the dialer finishes the placement under way
      // (any claim it takes after this sees `stopping` and is given back too), then stops.
      const queued = yield* Queue.takeAll(toDial)
      for (const claim of queued) if (Option.isSome(claim)) yield* giveBack(claim.value)
      yield* Queue.offer(toDial, Option.none())
      const drained = config.shutdown_grace_ms <= 0
        ? false
        : yield* Effect.zipRight(Fiber.await(dialerFiber), FiberSet.awaitEmpty(calls)).pipe(
          Effect.timeoutTo({ duration: Duration.millis(config.shutdown_grace_ms), onSuccess: () => true, onTimeout: () => false })
        )
      const left = yield* FiberSet.size(calls)
      yield* Effect.logInfo(
        `worker stopped: ${yield* Ref.get(released)} claim(s) given back` +
          (drained ? "" : `; ${left} call(s) still going are left to recovery when their lease runs out`)
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
