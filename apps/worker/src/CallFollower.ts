import type { CallOutcome, Dial } from "@leadq/domain"
import type { StaleClaim } from "@leadq/domain"
import { CallOutcome as Outcome, LeadQueue } from "@leadq/domain"
import type { CallEvent } from "@leadq/telephony"
import { Clock, Data, Duration, Effect, Schedule, Stream } from "effect"

/**
 * Following one dialled call to its end, for the worker that holds its claim: keep the lease
 * alive, move the log to `in_progress` when the callee answers, and finish log and lead in one
 * transaction when the call ends. A `StaleClaim` anywhere means another worker took the lead
 * over (our lease ran out): stop at once and write nothing more.
 */

/** A store write that failed for infrastructure reasons (a lost connection, a busy database). */
class StoreHiccup extends Data.TaggedError("StoreHiccup")<{ readonly cause: unknown }> {}

/** Infrastructure failures of the store are defects; here they are worth a few more tries. */
const retryingStore = <A>(what: string, effect: Effect.Effect<A, StaleClaim>) =>
  effect.pipe(
    Effect.catchAllDefect((cause) => Effect.fail(new StoreHiccup({ cause }))),
    Effect.retry({
      while: (e) => e._tag === "StoreHiccup",
      schedule: Schedule.exponential(Duration.millis(200)).pipe(Schedule.jittered),
      times: 5
    }),
    Effect.catchTag("StoreHiccup", (e) =>
      // Out of tries: leave it to recovery (the lease runs out, and the carrier tells the truth).
      Effect.zipRight(Effect.logError(`${what} failed; the claim is left to recovery`, e.cause), Effect.die(e.cause)))
  )

/** Renew the lease every third of it, for as long as the call lasts. Ends only with `StaleClaim`. */
export const keepLease = (dial: Dial, leaseMs: number): Effect.Effect<never, StaleClaim, LeadQueue> =>
  Effect.flatMap(LeadQueue, (queue) =>
    Effect.forever(
      Effect.zipRight(
        Effect.sleep(Duration.millis(Math.max(1, Math.floor(leaseMs / 3)))),
        queue.renewLease(dial, leaseMs).pipe(
          // A missed renewal is not fatal: the next one comes before the lease runs out.
          Effect.catchAllDefect((d) => Effect.logWarning("lease renewal failed", d))
        )
      )
    ))

export const finish = (dial: Dial, outcome: CallOutcome) =>
  Effect.flatMap(LeadQueue, (queue) =>
    retryingStore("finishing the call", queue.finishCall(dial, outcome)).pipe(
      Effect.tap((r) =>
        Effect.logInfo(
          `call ended: ${outcome.status} (${outcome.end_reason})` +
            (r.removed ? ", lead was removed during the call: no retry" : r.retry ? ", retry scheduled" : "") +
            (r.campaign_status === "completed" ? ", campaign completed" : "")
        )
      )
    ))

/** Write the carrier's events as they come, in order. */
export const record = (dial: Dial, events: Stream.Stream<CallEvent>) =>
  Effect.flatMap(LeadQueue, (queue) =>
    Stream.runForEach(events, (event) =>
      event._tag === "Connected"
        ? retryingStore("marking the call connected", queue.markConnected(dial, event.at))
        : Effect.asVoid(finish(dial, event.outcome))))

/** The outcome of a dialled call that nobody can account for (the carrier never heard of it). */
export const workerLost = Effect.map(Clock.currentTimeMillis, (now) =>
  new Outcome({
    status: "failed",
    end_reason: "worker_lost",
    connected_at: null,
    ended_at: new Date(now),
    duration_seconds: 0
  }))

/**
 * Run `work` (which writes the call's progress) under a live lease. Whichever ends first wins:
 * the work, or a renewal that found the claim stale — then the work is interrupted and nothing
 * more is written for this lead.
 */
export const underLease = <R>(dial: Dial, leaseMs: number, work: Effect.Effect<void, StaleClaim, R>) =>
  Effect.raceFirst(work, keepLease(dial, leaseMs)).pipe(
    Effect.catchTag("StaleClaim", () => Effect.logWarning("claim taken over by another worker (stale fencing token): leaving the lead alone")),
    Effect.annotateLogs({ lead_id: dial.lead_id, call_id: dial.call_id, attempt: dial.attempt })
  )
