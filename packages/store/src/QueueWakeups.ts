import * as SqlClient from "@effect/sql/SqlClient"
import { Context, Effect, Layer, Option, PubSub, Schedule, Stream } from "effect"

/**
 * "Something became due": a nudge for sleeping workers, so a lead added to an idle queue is
 * dialled at once instead of at the next poll. Always a hint, never the truth — workers still
 * poll, and the queue itself decides what is due.
 *
 * In one process (SQLite, the embedded default) the nudge is an in-memory PubSub; on PostgreSQL
 * it is also `NOTIFY leadq_due`, which every worker process `LISTEN`s to.
 */
export class QueueWakeups extends Context.Tag("leadq/store/QueueWakeups")<QueueWakeups, {
  readonly notify: Effect.Effect<void>
  readonly wakeups: Stream.Stream<void>
}>() {}

const CHANNEL = "leadq_due"

export const QueueWakeupsLive = Layer.scoped(
  QueueWakeups,
  Effect.gen(function*() {
    const local = yield* PubSub.sliding<void>(1)
    const sql = yield* SqlClient.SqlClient
    // PostgreSQL's client module is imported only on PostgreSQL (where it is loaded already), so a
    // SQLite process never loads it.
    const pg = yield* sql.onDialectOrElse({
      pg: () =>
        Effect.flatMap(
          Effect.promise(() => import("@effect/sql-pg/PgClient")),
          (PgClient) => Effect.serviceOption(PgClient.PgClient)
        ),
      orElse: () => Effect.succeed(Option.none())
    })
    const remote: Stream.Stream<void> = Option.match(pg, {
      onNone: () => Stream.empty,
      onSome: (client) =>
        client.listen(CHANNEL).pipe(
          Stream.map((): void => undefined),
          // A dropped LISTEN connection is re-established; polling covers the gap.
          Stream.retry(Schedule.spaced("1 second")),
          Stream.orDie
        )
    })
    // A payload, not '': the PostgreSQL client drops notifications whose payload is empty.
    const notifyRemote = Option.isSome(pg)
      ? sql`SELECT pg_notify(${CHANNEL}, 'due')`.pipe(Effect.asVoid, Effect.ignoreLogged)
      : Effect.void
    return {
      notify: Effect.zipRight(PubSub.publish(local, undefined), notifyRemote),
      wakeups: Stream.merge(Stream.fromPubSub(local), remote)
    }
  })
)
