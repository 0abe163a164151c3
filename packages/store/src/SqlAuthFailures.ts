import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import type { AuthFailureWindow, AuthSubject, AuthSubjectKind } from "@leadq/domain"
import { AuthFailures } from "@leadq/domain"
import { Effect, Layer, Schema } from "effect"
import { orDieOnSql } from "./Sql.js"

const Row = Schema.Struct({
  kind: Schema.Literal("address", "key"),
  subject: Schema.String,
  window_start: Schema.Number,
  failures: Schema.Number
})

const toWindow = (windowMs: number) => (row: typeof Row.Type): AuthFailureWindow => ({
  kind: row.kind,
  id: row.subject,
  failures: row.failures,
  resets_at: row.window_start + windowMs
})

/**
 * The failed-key-attempt counters of every gateway on the database (migration 0002). Counting is
 * one upsert per failure, atomic on both engines: `INSERT … ON CONFLICT DO UPDATE` either opens a
 * window or adds one to the open one, and returns the count, so two gateways counting the same
 * subject at once both see their failure counted. Only failures write; the gateways learn of the
 * subjects over the limit by `overLimit`, off the request path.
 */
export const makeAuthFailures = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const upsert = (subjects: ReadonlyArray<AuthSubject>, now: number, windowMs: number) => {
    // The SET expressions read the row as it was: an ended window restarts at 1, from now.
    const ended = sql`auth_failures.window_start <= ${now - windowMs}`
    return sql`INSERT INTO auth_failures ${
      sql.insert(subjects.map((s) => ({ kind: s.kind, subject: s.id, window_start: now, failures: 1 })))
    }
      ON CONFLICT (kind, subject) DO UPDATE SET
        failures = CASE WHEN ${ended} THEN 1 ELSE auth_failures.failures + 1 END,
        window_start = CASE WHEN ${ended} THEN excluded.window_start ELSE auth_failures.window_start END
      RETURNING kind, subject, window_start, failures`
  }

  const record = Effect.fn("leadq/AuthFailures.record")(function*(subjects: ReadonlyArray<AuthSubject>, now: number, windowMs: number) {
    if (subjects.length === 0) return []
    const rows = yield* SqlSchema.findAll({
      Request: Schema.Void,
      Result: Row,
      execute: () => upsert(subjects, now, windowMs)
    })(undefined)
    return rows.map(toWindow(windowMs))
  }, Effect.orDie)

  const overLimit = Effect.fn("leadq/AuthFailures.overLimit")(
    function*(now: number, windowMs: number, limits: Readonly<Record<AuthSubjectKind, number>>) {
      const rows = yield* SqlSchema.findAll({
        Request: Schema.Void,
        Result: Row,
        execute: () =>
          sql`SELECT kind, subject, window_start, failures FROM auth_failures
            WHERE window_start > ${now - windowMs}
              AND ((kind = 'address' AND failures >= ${limits.address}) OR (kind = 'key' AND failures >= ${limits.key}))`
      })(undefined)
      return rows.map(toWindow(windowMs))
    },
    Effect.orDie
  )

  const prune = Effect.fn("leadq/AuthFailures.prune")(function*(now: number, windowMs: number) {
    const rows = yield* sql`DELETE FROM auth_failures WHERE window_start <= ${now - windowMs} RETURNING kind`
    return rows.length
  }, orDieOnSql)

  return AuthFailures.of({ record, overLimit, prune })
})

export const AuthFailuresLive: Layer.Layer<AuthFailures, never, SqlClient.SqlClient> = Layer.effect(AuthFailures, makeAuthFailures)
