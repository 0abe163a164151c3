import type * as SqlError from "@effect/sql/SqlError"
import * as SqlClient from "@effect/sql/SqlClient"
import { Cause, Context, Deferred, Effect, Exit, Layer, Queue } from "effect"

/**
 * Group commit for SQLite. With `synchronous=FULL` every commit waits for the disk, and SQLite
 * has one writer, so concurrent requests would each pay a full fsync in turn. Instead,
 * transactions submitted here while one is being written are run together in the next
 * transaction, each inside its own savepoint (so one that fails rolls back alone), and are
 * answered only after that transaction has committed: the same durability per request, one
 * fsync for the whole group.
 *
 * A savepoint costs two statements. A transaction that can fail only before its first write (the
 * removal's fast path: its conditional UPDATE decides, the writes after it cannot be refused) may
 * go without: `{ savepoint: false }`. Its typed failure has written nothing, so nothing needs
 * undoing; a defect or an SQL error in it, which may come after a write, rolls the whole group
 * back and every transaction of the group is answered with that failure (none of them happened).
 *
 * On PostgreSQL (many writers) it is plain `sql.withTransaction`.
 */
export class GroupCommit extends Context.Tag("leadq/store/GroupCommit")<GroupCommit, {
  readonly transaction: <A, E>(
    effect: Effect.Effect<A, E>,
    options?: { readonly savepoint?: boolean }
  ) => Effect.Effect<A, E | SqlError.SqlError>
}>() {}

/** Most transactions in one group: bounds how long a group holds the single writer. */
const MAX_GROUP = 128

/** Wait for the event loop's next check phase (after pending I/O callbacks have run). */
const nextTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

interface Pending {
  readonly run: Effect.Effect<unknown, unknown>
  readonly savepoint: boolean
  readonly done: Deferred.Deferred<unknown, unknown>
}

/** A failure that may have come after a write: an SQL error, a defect, an interruption. */
const mayHaveWritten = (cause: Cause.Cause<unknown>) =>
  !Cause.isFailType(cause) || (cause.error as { _tag?: unknown } | null)?._tag === "SqlError"

/** A transaction without a savepoint: a failure after a write takes the whole group down. */
const unsaved = (run: Effect.Effect<unknown, unknown>) =>
  Effect.flatMap(Effect.exit(run), (exit) =>
    Exit.isFailure(exit) && mayHaveWritten(exit.cause) ? Effect.failCause(exit.cause) : Effect.succeed(exit))

export const GroupCommitLive = Layer.scoped(
  GroupCommit,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const isSqlite = sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })
    if (!isSqlite) return { transaction: (effect) => sql.withTransaction(effect) }

    const queue = yield* Queue.unbounded<Pending>()
    yield* Effect.gen(function*() {
      const first = yield* Queue.takeBetween(queue, 1, MAX_GROUP)
      // better-sqlite3 blocks the event loop while it commits, so requests that arrived meanwhile
      // are still unread sockets: let one turn of the loop read them (and queue their work).
      yield* nextTurn
      const group = [...first, ...(yield* Queue.takeUpTo(queue, MAX_GROUP - first.length))]
      const outcome = yield* Effect.exit(
        sql.withTransaction(
          Effect.forEach(group, (item) => (item.savepoint ? Effect.exit(sql.withTransaction(item.run)) : unsaved(item.run)))
        )
      )
      let i = 0
      for (const item of group) {
        yield* Deferred.done(item.done, Exit.isSuccess(outcome) ? outcome.value[i++]! : outcome)
      }
    }).pipe(Effect.forever, Effect.interruptible, Effect.forkScoped)

    return {
      transaction: <A, E>(effect: Effect.Effect<A, E>, options?: { readonly savepoint?: boolean }) =>
        Effect.flatMap(Deferred.make<unknown, unknown>(), (done) =>
          Effect.zipRight(
            Queue.offer(queue, { run: effect, savepoint: options?.savepoint ?? true, done }),
            Deferred.await(done)
          )) as Effect.Effect<A, E | SqlError.SqlError>
    }
  })
)
