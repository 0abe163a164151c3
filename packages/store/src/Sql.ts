import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as SqlSchema from "@effect/sql/SqlSchema"
import type { ParseResult } from "effect"
import { Effect, Schema } from "effect"

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

type Infrastructure = SqlError.SqlError | ParseResult.ParseError

const isInfrastructure = (e: unknown): e is Infrastructure => {
  const tag = (e as { _tag?: unknown })?._tag
  return tag === "SqlError" || tag === "ParseError"
}

/**
 * Infrastructure failures (a lost connection, a constraint we did not expect, a row that does not
 * decode) are not something a caller can act on: they become defects here, at the repository
 * edge, and the typed error channel keeps only the domain's errors.
 */
export const orDieOnSql = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, Infrastructure>, R> =>
  Effect.catchIf(self, isInfrastructure, Effect.die) as Effect.Effect<A, Exclude<E, Infrastructure>, R>

/**
 * The rows of a statement built per call (dynamic filters, locks), decoded with a row Schema:
 * `SqlSchema.findAll` / `findOne` for statements whose request is the statement itself.
 */
export const findAll = <A, I, R, E, RS>(Result: Schema.Schema<A, I, RS>, statement: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
  SqlSchema.findAll({ Request: Schema.Void, Result, execute: () => statement })(undefined)

export const findOne = <A, I, R, E, RS>(Result: Schema.Schema<A, I, RS>, statement: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
  SqlSchema.findOne({ Request: Schema.Void, Result, execute: () => statement })(undefined)

/** A statement that always answers one row (an aggregate). */
export const single = <A, I, R, E, RS>(Result: Schema.Schema<A, I, RS>, statement: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
  SqlSchema.single({ Request: Schema.Void, Result, execute: () => statement })(undefined).pipe(
    Effect.catchTag("NoSuchElementException", () => Effect.dieMessage("an aggregate query returned no row"))
  )

/**
 * Integers on the measured hot paths, read without a decode (trusted rows): SQLite hands back
 * numbers; PostgreSQL's int8 is parsed to a number by our client (`Database.ts`), a numeric
 * string otherwise.
 */
export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))
