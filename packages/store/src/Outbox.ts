import type * as SqlClient from "@effect/sql/SqlClient"
import type { CallLogStatus, CampaignStatus, EndReason, PendingEvent, SuppressionDraft, WebhookEventPayload } from "@leadq/domain"
import { unsafeMakeId } from "@leadq/domain"
import { Effect } from "effect"
import { num, numOrNull } from "./Sql.js"

/**
 * The transactional outbox (docs/design.md §3, "The outbox"; migration 0007): every change that
 * has an event appends it here, inside the transaction that makes the change, so the event row
 * commits or rolls back with it. A writer collects the events of its transaction and appends them
 * at the end, in ONE multi-row INSERT (a batch of dials or a bulk removal is one statement, not
 * one per lead). `seq` and, on PostgreSQL, `txid` are filled by the database.
 *
 * `created_at` is the writer's clock (`now` of its transaction): an endpoint receives the events
 * whose `created_at` is at or after its own (the dispatcher enforces it).
 */

/**
 * Rows per statement: 6 parameters a row stays far below both engines' limits (SQLite 32,766,
 * PostgreSQL 65,535). Every batch of the queue (at most a thousand leads) is one statement; only
 * a suppression CSV of many thousand numbers takes several.
 */
const CHUNK = 2_000

export const appendEvents = (sql: SqlClient.SqlClient, events: ReadonlyArray<PendingEvent>, now: number) =>
  Effect.gen(function*() {
    if (events.length === 0) return
    const rows = events.map((e) => ({
      id: unsafeMakeId.event(),
      organization_id: e.organization_id,
      type: e.type,
      payload: JSON.stringify(e.data),
      created_at: now
    }))
    for (let i = 0; i < rows.length; i += CHUNK) {
      yield* sql`INSERT INTO outbox_events ${sql.insert(rows.length <= CHUNK ? rows : rows.slice(i, i + CHUNK))}`
    }
  })

/** The call-log columns an event carries, as a statement returns them (a trusted row, see `TrustedRows.ts`). */
export interface CallLogEventRow {
  readonly id: string
  readonly call_id: string
  readonly campaign_id: string
  readonly lead_id: string
  readonly phone_number: string
  readonly attempt: unknown
  readonly status: CallLogStatus
  readonly end_reason: EndReason | null
  readonly duration_seconds: unknown
  readonly started_at: unknown
  readonly ended_at: unknown
  readonly created_at: unknown
}

/** `call_logs.…` columns of a `RETURNING` (SQLite takes no `table.*` there). */
export const CALL_LOG_EVENT_COLUMNS = [
  "id",
  "call_id",
  "campaign_id",
  "lead_id",
  "phone_number",
  "attempt",
  "status",
  "end_reason",
  "duration_seconds",
  "started_at",
  "ended_at",
  "created_at"
] as const

const isoOrNull = (ms: unknown): string | null => {
  const n = numOrNull(ms)
  return n === null ? null : new Date(n).toISOString()
}

/**
 * A call log in the wire form of `GET /v1/call-logs/{id}` (`Schema.encode(CallLog)`, same fields
 * in the same order), built without a decode: the worker's batches are a measured hot path. A
 * test holds it equal to the API's encoding.
 */
export const callLogPayload = (row: CallLogEventRow): WebhookEventPayload<"call.ended"> => ({
  id: row.id,
  call_id: row.call_id,
  campaign_id: row.campaign_id,
  lead_id: row.lead_id,
  phone_number: row.phone_number,
  attempt: num(row.attempt),
  status: row.status,
  end_reason: row.end_reason,
  duration_seconds: numOrNull(row.duration_seconds),
  started_at: isoOrNull(row.started_at),
  ended_at: isoOrNull(row.ended_at),
  created_at: new Date(num(row.created_at)).toISOString()
})

/** The `campaign.status_changed` event of a status this transaction wrote. */
export const statusChangedEvent = (
  organization_id: string,
  campaign_id: string,
  from: CampaignStatus,
  to: CampaignStatus,
  now: number
): PendingEvent => ({
  organization_id,
  type: "campaign.status_changed",
  data: { campaign_id, from, to, changed_at: new Date(now).toISOString() }
})

/**
 * The `lead.suppressed` events of numbers suppressed through the suppression list itself (no lead
 * named): one per number, the last draft of a number named twice winning, as in the upsert.
 */
export const suppressedEvents = (
  organization_id: string,
  drafts: ReadonlyArray<SuppressionDraft>,
  api_key_id: string,
  now: number
): Array<PendingEvent> => {
  const at = new Date(now).toISOString()
  const byPhone = new Map(drafts.map((d) => [d.phone_number as string, d]))
  return [...byPhone.values()].map((d) => ({
    organization_id,
    type: "lead.suppressed",
    data: {
      phone_number: d.phone_number,
      reason: d.reason,
      expires_at: d.expires_at?.toISOString() ?? null,
      api_key_id,
      lead_id: null,
      campaign_id: null,
      suppressed_at: at
    }
  }))
}
