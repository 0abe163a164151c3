import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * The delivery side of outgoing webhooks (docs/webhooks.md "Delivery"; `@leadq/webhooks`).
 *
 * `webhook_dispatch`: one row per endpoint — how far its fan-out has read the outbox
 * (`cursor_txid`, `cursor_seq`; PostgreSQL reads in `(txid, seq)` order, SQLite in `seq` order),
 * the last delivery position given out, when the endpoint next needs a look (`due_at`), and the
 * claim: the dispatcher holding it (`owner`), until when (`lease_until`), and a fencing number
 * that grows with every claim, so a dispatcher whose lease ran out writes nothing more.
 *
 * `webhook_deliveries`: one row per (endpoint, event), in the endpoint's order (`position`);
 * `pending` until a 2xx (`delivered`) or 24 h of retries (`failed`). The body is built from the
 * outbox row at each attempt, so it is not stored twice.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE webhook_dispatch (
    endpoint_id TEXT PRIMARY KEY,
    cursor_txid BIGINT NOT NULL,
    cursor_seq BIGINT NOT NULL,
    last_position BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    owner TEXT,
    lease_until BIGINT NOT NULL,
    fence BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX webhook_dispatch_due ON webhook_dispatch (due_at)`
  yield* sql`CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    position BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    queued_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_attempt_at BIGINT,
    response_status INTEGER,
    last_error TEXT,
    completed_at BIGINT,
    UNIQUE (endpoint_id, event_id)
  )`
  yield* sql`CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, status, position)`
  yield* sql`CREATE INDEX webhook_deliveries_listing ON webhook_deliveries (endpoint_id, position)`
  yield* sql`CREATE INDEX webhook_deliveries_completed ON webhook_deliveries (status, completed_at)`
  yield* sql`CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id)`
  // PostgreSQL fan-out reads an organization's events in (txid, seq) order past its cursor.
  yield* sql.onDialectOrElse({
    pg: () => sql`CREATE INDEX outbox_events_by_org_txid ON outbox_events (organization_id, txid, seq)`,
    orElse: () => Effect.void
  })
  yield* sql`CREATE INDEX outbox_events_by_created ON outbox_events (created_at)`
})
