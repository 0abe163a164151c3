import type { SqlError } from "@effect/sql"
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Row-locking clauses. PostgreSQL needs them (several writers at once); SQLite has one writer and
 * every transaction of ours runs alone, so the clause is simply left out.
 */
export const makeLocks = (sql: SqlClient.SqlClient) => {
  const pgOnly = (clause: string) => sql.onDialectOrElse({ pg: () => sql.literal(clause), orElse: () => sql.literal("") })
  return {
    forUpdate: pgOnly("FOR UPDATE"),
    forUpdateOfLeads: pgOnly("FOR UPDATE OF l"),
    forUpdateSkipLocked: pgOnly("FOR UPDATE SKIP LOCKED"),
    forShare: pgOnly("FOR SHARE")
  }
}

/**
 * Infrastructure failures (a lost connection, a constraint we did not expect) are not something
 * a caller can act on: they become defects here, at the repository edge, and the typed error
 * channel keeps only the domain's errors.
 */
export const orDieOnSql = <A, E, R>(self: Effect.Effect<A, E | SqlError.SqlError, R>): Effect.Effect<A, Exclude<E, SqlError.SqlError>, R> =>
  Effect.catchIf(self, (e): e is SqlError.SqlError => (e as { _tag?: unknown })?._tag === "SqlError", Effect.die) as Effect.Effect<
    A,
    Exclude<E, SqlError.SqlError>,
    R
  >

/** Integers come back as numbers from both engines (int8 is parsed by the PostgreSQL client). */
export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))

