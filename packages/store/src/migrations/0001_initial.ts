import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * The first schema. Timestamps are epoch milliseconds in BIGINT columns (PostgreSQL's int8 is
 * parsed to a JS number by the client, so both engines hand back numbers); booleans are 0/1;
 * notes and calling windows are JSON text. One definition serves both engines except where a
 * dialect differs (the identity column and the guard triggers).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const seqColumn = sql.onDialectOrElse({
    pg: () => sql.literal("seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    orElse: () => sql.literal("seq INTEGER PRIMARY KEY AUTOINCREMENT")
  })

  yield* sql`CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
  )`
  yield* sql`CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  )`
  yield* sql`CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    from_phone_number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'cancelled')),
    scheduled_at BIGINT NOT NULL,
    max_concurrent_calls INTEGER NOT NULL,
    max_retries INTEGER NOT NULL,
    retry_interval_minutes INTEGER NOT NULL,
    calling_window TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX campaigns_by_org ON campaigns (organization_id, created_at)`
  yield* sql`CREATE INDEX campaigns_running ON campaigns (status, scheduled_at)`

  // seq is the enqueue order: among leads with the same scheduled_at, the earlier one goes first.
  yield* sql`CREATE TABLE leads (
    ${seqColumn},
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    name TEXT,
    phone_number TEXT NOT NULL,
    notes TEXT NOT NULL,
    timezone TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'calling', 'called', 'removed')),
    outcome TEXT CHECK (outcome IN ('completed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    scheduled_at BIGINT NOT NULL,
    claim_id TEXT,
    worker_id TEXT,
    dialled SMALLINT NOT NULL DEFAULT 0,
    lease_expires_at BIGINT,
    call_log_id TEXT,
    removed_from TEXT,
    removed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX leads_due ON leads (campaign_id, scheduled_at, seq) WHERE state = 'pending'`
  yield* sql`CREATE INDEX leads_pending_time ON leads (scheduled_at) WHERE state = 'pending'`
  yield* sql`CREATE INDEX leads_claimed ON leads (campaign_id) WHERE claim_id IS NOT NULL`
  yield* sql`CREATE INDEX leads_leases ON leads (lease_expires_at) WHERE claim_id IS NOT NULL`
  yield* sql`CREATE INDEX leads_by_campaign ON leads (campaign_id, state, outcome)`
  yield* sql`CREATE INDEX leads_by_org ON leads (organization_id, seq)`
  yield* sql`CREATE INDEX leads_by_phone ON leads (organization_id, phone_number)`

  // (lead_id, attempt) is unique: the database itself refuses a second log, hence a second dial,
  // of one attempt.
  yield* sql`CREATE TABLE call_logs (
    ${seqColumn},
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    call_id TEXT NOT NULL UNIQUE,
    provider_call_id TEXT,
    claim_id TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('initiated', 'in_progress', 'completed', 'no_answer', 'busy', 'failed', 'cancelled')),
    end_reason TEXT,
    duration_seconds DOUBLE PRECISION,
    started_at BIGINT,
    ended_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (lead_id, attempt)
  )`
  yield* sql`CREATE INDEX call_logs_by_org ON call_logs (organization_id, created_at)`
  yield* sql`CREATE INDEX call_logs_by_campaign ON call_logs (campaign_id, created_at)`
  yield* sql`CREATE INDEX call_logs_by_lead ON call_logs (lead_id)`
  yield* sql`CREATE INDEX call_logs_by_provider ON call_logs (provider_call_id)`

  yield* sql`CREATE TABLE lead_removals (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    lead_id TEXT NOT NULL UNIQUE,
    campaign_id TEXT NOT NULL,
    api_key_id TEXT NOT NULL,
    removed_from TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    reason TEXT,
    removed_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX lead_removals_by_campaign ON lead_removals (campaign_id, removed_at)`

  yield* sql`CREATE TABLE carrier_events (
    provider_call_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    received_at BIGINT NOT NULL
  )`

  // Call logs and removal records are evidence: the database refuses to delete them.
  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.gen(function*() {
        yield* sql`CREATE FUNCTION leadq_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME; END $$`
        yield* sql`CREATE TRIGGER call_logs_no_delete BEFORE DELETE ON call_logs
          FOR EACH ROW EXECUTE FUNCTION leadq_refuse_delete()`
        yield* sql`CREATE TRIGGER lead_removals_no_delete BEFORE DELETE ON lead_removals
          FOR EACH ROW EXECUTE FUNCTION leadq_refuse_delete()`
      }),
    orElse: () =>
      Effect.gen(function*() {
        yield* sql`CREATE TRIGGER call_logs_no_delete BEFORE DELETE ON call_logs
          BEGIN SELECT RAISE(ABORT, 'call_logs rows are never deleted'); END`
        yield* sql`CREATE TRIGGER lead_removals_no_delete BEFORE DELETE ON lead_removals
          BEGIN SELECT RAISE(ABORT, 'lead_removals rows are never deleted'); END`
      })
  })
})
