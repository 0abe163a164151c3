import { Cause, Data, Effect, FiberSet } from "effect"

/** One of the worker's loops died: the worker cannot do its job any more, so it stops (exit 1). */
export class WorkerLoopFailed extends Data.TaggedError("WorkerLoopFailed")<{
  readonly loop: string
  readonly cause: Cause.Cause<unknown>
}> {
  override get message() {
    return `worker loop "${this.loop}" failed: ${Cause.pretty(this.cause)}`
  }
}

/**
 * Runs the worker's loops in one `FiberSet`, so that none can die unnoticed: a loop that fails or
 * meets a defect is logged at error level, named, and `join` fails with it — the worker then fails
 * as a whole (`WorkerLive`: the process exits 1 and its supervisor restarts it) instead of living
 * on claiming leads it never dials. An interrupted loop (shutdown) is no failure. The loops are
 * interrupted when the supervisor's scope closes, after the worker's own shutdown.
 */
export class Supervisor extends Effect.Service<Supervisor>()("leadq/worker/Supervisor", {
  scoped: Effect.gen(function*() {
    const loops = yield* FiberSet.make<unknown, WorkerLoopFailed>()
    return {
      start: Effect.fn("leadq/worker/Supervisor.start")(function*(loop: string, body: Effect.Effect<unknown, unknown>) {
        return yield* FiberSet.run(
          loops,
          body.pipe(
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause)
                ? Effect.interrupt
                : Effect.zipRight(
                  Effect.logError(`worker loop "${loop}" failed; the worker stops`, cause),
                  Effect.fail(new WorkerLoopFailed({ loop, cause }))
                )
            ),
            Effect.annotateLogs({ loop })
          )
        )
      }),
      /** Fails with the first loop that failed; never succeeds while the loops run. */
      join: FiberSet.join(loops)
    }
  })
}) {}
