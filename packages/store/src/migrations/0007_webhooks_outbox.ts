import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * Outgoing webhooks (docs/webhooks.md; docs/design.md §3).
 *
 * `webhook_endpoints`: an organization's receivers — the URL, the event types wanted (a JSON
 * array of strings), the signing secret (returned once, at creation), an enabled flag (0/1).
 * Deleting an endpoint stamps `deleted_at` instead of dropping the row, so its delivery history
 * stays readable and a late delivery attempt finds a row to check.
 *
 * `outbox_events`: the transactional outbox. Every change that has an event (a removal, a
 * suppression, a call's start and end, a campaign's status) appends its event row in the same
 * transaction as the change, so an event exists if and only if the change committed. The
 * payload is the event's `data` as committed, JSON text. `seq` orders the events; `id` is the
 * event id receivers de-duplicate on.
 *
 * On PostgreSQL `txid` records the writing transaction (`pg_current_xact_id()`): sequence values
 * are taken at insert, not at commit, so a reader must not pass an event while a transaction that
 * may still commit one is open. Reading only rows with `txid` below the snapshot's xmin
 * (`pg_snapshot_xmin(pg_current_snapshot())`), in `(txid, seq)` order, gives a gap-free prefix
 * (migration 0008 keeps the reader's cursor as that pair). SQLite serializes writers, so there
 * `seq` order is commit order.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const seqColumn = sql.onDialectOrElse({
    pg: () => sql.literal("seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    orElse: () => sql.literal("seq INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  const txidColumn = sql.onDialectOrElse({
    pg: () => sql.literal(",\n    txid xid8 NOT NULL DEFAULT pg_current_xact_id()"),
    orElse: () => sql.literal("")
  })
  yield* sql`CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled SMALLINT NOT NULL,
    description TEXT,
    api_key_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
  )`
  yield* sql`CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (organization_id, created_at)`
  yield* sql`CREATE TABLE outbox_events (
    ${seqColumn},
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL${txidColumn}
  )`
  yield* sql`CREATE INDEX outbox_events_by_org ON outbox_events (organization_id, seq)`
})
