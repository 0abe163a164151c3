import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * The organization's suppression list (docs/design.md §3): one row per (organization, number),
 * so the dial re-check finds a batch's numbers with one primary-key lookup. Lifting a suppression
 * deletes its row and writes a `suppression_lifts` record in the same transaction: who had
 * suppressed the number, why, and who lifted it when. Lift records are evidence like removal
 * records: the database refuses to delete them.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE suppressions (
    organization_id TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    reason TEXT,
    expires_at BIGINT,
    api_key_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, phone_number)
  )`
  yield* sql`CREATE TABLE suppression_lifts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    reason TEXT,
    expires_at BIGINT,
    suppressed_by TEXT NOT NULL,
    suppressed_at BIGINT NOT NULL,
    lifted_by TEXT NOT NULL,
    lifted_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX suppression_lifts_by_phone ON suppression_lifts (organization_id, phone_number, lifted_at)`
  yield* sql.onDialectOrElse({
    pg: () =>
      sql`CREATE TRIGGER suppression_lifts_no_delete BEFORE DELETE ON suppression_lifts
        FOR EACH ROW EXECUTE FUNCTION leadq_refuse_delete()`,
    orElse: () =>
      sql`CREATE TRIGGER suppression_lifts_no_delete BEFORE DELETE ON suppression_lifts
        BEGIN SELECT RAISE(ABORT, 'suppression_lifts rows are never deleted'); END`
  })
})
