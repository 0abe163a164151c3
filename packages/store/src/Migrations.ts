import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import initial from "./migrations/0001_initial.js"
import authFailures from "./migrations/0002_auth_failures.js"
import removalsByOrganization from "./migrations/0003_removals_by_organization.js"
import suppressions from "./migrations/0004_suppressions.js"
import idempotencyKeys from "./migrations/0005_idempotency_keys.js"
import leadNumbersUnique from "./migrations/0006_lead_numbers_unique.js"
import webhooksOutbox from "./migrations/0007_webhooks_outbox.js"
import webhookDeliveries from "./migrations/0008_webhook_deliveries.js"

/** The explicit list of migrations, in order. Append; never edit one that has shipped. */
export const migrations: ReadonlyArray<readonly [id: number, name: string, run: Effect.Effect<void, unknown, SqlClient.SqlClient>]> = [
  [1, "initial", initial],
  [2, "auth_failures", authFailures],
  [3, "removals_by_organization", removalsByOrganization],
  [4, "suppressions", suppressions],
  [5, "idempotency_keys", idempotencyKeys],
  [6, "lead_numbers_unique", leadNumbersUnique],
  [7, "webhooks_outbox", webhooksOutbox],
  [8, "webhook_deliveries", webhookDeliveries]
]

/** An arbitrary constant: the PostgreSQL advisory lock that serializes migrating processes. */
const MIGRATION_LOCK = 727_274_001

/**
 * Brings the schema up to date at start-up. Safe when several processes start at once: on
 * PostgreSQL they queue on an advisory lock held for the transaction; on SQLite the first
 * statement of the transaction is a write, so the second process waits on the file lock (busy
 * timeout) instead of failing. Each process then sees the migrations table as the first left it.
 */
export const migrate = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS leadq_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`.pipe(
    // Two PostgreSQL processes racing on CREATE TABLE IF NOT EXISTS can both miss the table and
    // one fails on the catalog's unique index; the table exists either way.
    Effect.retry({ times: 3 })
  )
  const applied = yield* sql.withTransaction(
    Effect.gen(function*() {
      yield* sql.onDialectOrElse({
        pg: () => sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
        orElse: () => sql`UPDATE leadq_migrations SET name = name WHERE id = -1`
      })
      const done = new Set(
        (yield* sql<{ id: number }>`SELECT id FROM leadq_migrations`).map((r) => Number(r.id))
      )
      const applied: Array<string> = []
      for (const [id, name, run] of migrations) {
        if (done.has(id)) continue
        yield* Effect.orDieWith(run, (cause) => new Error(`migration ${id}_${name} failed: ${String(cause)}`))
        yield* sql`INSERT INTO leadq_migrations (id, name, applied_at) VALUES (${id}, ${name}, ${Date.now()})`
        applied.push(`${id}_${name}`)
      }
      return applied
    })
  )
  if (applied.length > 0) yield* Effect.logInfo("database migrated").pipe(Effect.annotateLogs("migrations", applied.join(",")))
}).pipe(Effect.orDie, Effect.withSpan("leadq/store/migrate"))
