import { Cause, Data, Duration, Effect, Schedule } from "effect"

/** A store call that failed for infrastructure reasons (a lost connection, a busy database). */
class StoreHiccup extends Data.TaggedError("StoreHiccup")<{ readonly cause: unknown }> {}

const isHiccup = (e: unknown): e is StoreHiccup => e instanceof StoreHiccup

/** For one lead's or one batch's write: a few tries, then it is left to recovery. */
export const FEW_TRIES = Schedule.exponential(Duration.millis(200)).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5)))

/**
 * For the store call a loop exists to make (claiming, starting dials, looking for expired claims):
 * long enough to ride out a database restart (PostgreSQL is away about two seconds), short enough
 * that a failure that persists (a missing table, a broken schema) stops the worker within seconds
 * instead of leaving it alive and useless.
 */
export const LOOP_TRIES = Schedule.exponential(Duration.millis(100)).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(2))),
  Schedule.jittered,
  Schedule.upTo(Duration.seconds(10))
)

/** One line for a failure that will be tried again: the error and what it says its cause was. */
const briefly = (u: unknown): string =>
  u instanceof Error ? (u.cause instanceof Error ? `${u.message}: ${u.cause.message}` : u.message) : String(u)

/**
 * Infrastructure failures of the store are defects (the store's rule); here they are worth more
 * tries, each logged as a warning. Out of tries, the defect stands: the caller either leaves the
 * lead to recovery or, in a loop, lets the worker fail.
 */
export const retryingStore = <A, E>(what: string, effect: Effect.Effect<A, E>, schedule: Schedule.Schedule<unknown, unknown> = FEW_TRIES) =>
  effect.pipe(
    Effect.catchAllDefect((cause) => Effect.fail(new StoreHiccup({ cause }))),
    Effect.tapError((e) => (isHiccup(e) ? Effect.logWarning(`${what} failed (${briefly(e.cause)}); trying again`) : Effect.void)),
    Effect.retry({ while: isHiccup, schedule }),
    Effect.catchIf(isHiccup, (e) => Effect.die(e.cause))
  )

/** Log a failure, unless it is only an interruption (shutdown). */
export const logCause = (what: string) => (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError(what, cause)
