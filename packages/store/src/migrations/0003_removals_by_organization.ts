import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * `GET /v1/removals` lists an organization's removal records newest first and counts them:
 * without this index every such request would read the whole audit table, every organization's
 * records included, and the table only grows (its rows are never deleted). `id` last: the list's
 * tie-break (one bulk removal's records share a millisecond), so pages come off the index in order.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX lead_removals_by_org ON lead_removals (organization_id, removed_at, id)`
})
