import type { LeadSnapshot } from "@leadq/domain"
import {
  ApiKeyId,
  CallId,
  CallingWindow,
  CallLog,
  CallLogId,
  CallLogStatus,
  Campaign,
  CampaignCounters,
  CampaignId,
  CampaignLead,
  CampaignStatus,
  ClaimId,
  E164,
  EndReason,
  LeadId,
  LeadOutcome,
  LeadState,
  leadStatusOf,
  Notes,
  OrganizationId,
  RemovalId,
  RemovedFrom,
  RetryConfig
} from "@leadq/domain"
import { Schema } from "effect"
import { num, numOrNull } from "./Sql.js"

/**
 * Rows as the database returns them (snake_case, epoch ms, 0/1, JSON text), decoded at the edge
 * with these Schemas on every cold path (campaign reads, lists, call logs, API keys, removal
 * records, recovery). The column schemas accept what either engine hands back: SQLite gives
 * numbers; PostgreSQL gives numbers for our int8 (parsed by the client, `Database.ts`) but
 * numeric strings for any other bigint or numeric, and a `Date` for a timestamptz.
 *
 * The measured hot paths read rows without this decode: see `TrustedRows.ts`.
 */

/** An integer column: a number, or the numeric string PostgreSQL gives for an unparsed bigint. */
export const IntColumn = Schema.Union(Schema.Int, Schema.NumberFromString.pipe(Schema.int()))

/** A floating-point column (DOUBLE PRECISION), a number or a numeric string. */
const NumberColumn = Schema.Union(Schema.Number, Schema.NumberFromString)

/** An instant as epoch ms: our BIGINT columns, or a `Date` should a column be a timestamptz. */
export const EpochMsColumn = Schema.Union(
  IntColumn,
  Schema.transform(Schema.ValidDateFromSelf, Schema.Number, { strict: true, decode: (d) => d.getTime(), encode: (ms) => new Date(ms) })
)

/** An instant column as a `Date`. */
const DateColumn = Schema.compose(EpochMsColumn, Schema.DateFromNumber)

/** Every table but the audit ones records when a row was written and last changed. */
const Stamps = { created_at: EpochMsColumn, updated_at: EpochMsColumn }

export const CampaignRow = Schema.Struct({
  id: CampaignId,
  organization_id: OrganizationId,
  name: Campaign.fields.name,
  agent_id: Campaign.fields.agent_id,
  from_phone_number: E164,
  status: CampaignStatus,
  scheduled_at: EpochMsColumn,
  max_concurrent_calls: IntColumn,
  max_retries: Schema.compose(IntColumn, RetryConfig.fields.max_retries),
  retry_interval_minutes: Schema.compose(IntColumn, RetryConfig.fields.retry_interval_minutes),
  calling_window: Schema.NullOr(Schema.parseJson(CallingWindow)),
  ...Stamps
})
export type CampaignRow = typeof CampaignRow.Type

export const LeadRow = Schema.Struct({
  id: LeadId,
  organization_id: OrganizationId,
  campaign_id: CampaignId,
  name: Schema.NullOr(Schema.String),
  phone_number: E164,
  notes: Schema.parseJson(Notes),
  timezone: Schema.NullOr(Schema.String),
  state: LeadState,
  outcome: Schema.NullOr(LeadOutcome),
  attempts: IntColumn,
  scheduled_at: EpochMsColumn,
  claim_id: Schema.NullOr(ClaimId),
  worker_id: Schema.NullOr(Schema.String),
  dialled: IntColumn,
  lease_expires_at: Schema.NullOr(EpochMsColumn),
  call_log_id: Schema.NullOr(CallLogId),
  removed_from: Schema.NullOr(RemovedFrom),
  removed_at: Schema.NullOr(EpochMsColumn),
  ...Stamps
})
export type LeadRow = typeof LeadRow.Type

export const CallLogRow = Schema.Struct({
  id: CallLogId,
  organization_id: OrganizationId,
  campaign_id: CampaignId,
  lead_id: LeadId,
  call_id: CallId,
  provider_call_id: Schema.NullOr(Schema.String),
  claim_id: ClaimId,
  phone_number: E164,
  attempt: IntColumn,
  status: CallLogStatus,
  end_reason: Schema.NullOr(EndReason),
  duration_seconds: Schema.NullOr(NumberColumn),
  started_at: Schema.NullOr(EpochMsColumn),
  ended_at: Schema.NullOr(EpochMsColumn),
  ...Stamps
})
export type CallLogRow = typeof CallLogRow.Type

/** A `lead_removals` row, decoded straight into the domain's `RemovalRecord`. */
export const RemovalRecordRow = Schema.Struct({
  id: RemovalId,
  lead_id: LeadId,
  campaign_id: CampaignId,
  api_key_id: ApiKeyId,
  removed_from: RemovedFrom,
  attempt: IntColumn,
  reason: Schema.NullOr(Schema.String),
  removed_at: DateColumn
})

/** `SELECT count(*) AS n`. */
export const CountRow = Schema.Struct({ n: IntColumn })

/** `GROUP BY campaign_id, state, outcome` with `count(*) AS n`. */
export const CounterRow = Schema.Struct({ campaign_id: CampaignId, state: LeadState, outcome: Schema.NullOr(LeadOutcome), n: IntColumn })
export type CounterRow = typeof CounterRow.Type

/**
 * Every field below was just decoded by the row Schema with the model's own field schemas, so
 * the model is built without a second validation pass (`true` is Schema.Class's "disable
 * validation" flag).
 */
const DECODED = true

export const ZERO_COUNTERS = new CampaignCounters({
  total_leads: 0,
  pending_leads: 0,
  in_progress_leads: 0,
  completed_leads: 0,
  failed_leads: 0,
  removed_leads: 0
})

export const toCampaign = (row: CampaignRow, counters: CampaignCounters = ZERO_COUNTERS): Campaign =>
  new Campaign({
    id: row.id,
    name: row.name,
    agent_id: row.agent_id,
    from_phone_number: row.from_phone_number,
    status: row.status,
    scheduled_at: new Date(row.scheduled_at),
    max_concurrent_calls: row.max_concurrent_calls,
    retry_config: new RetryConfig({ max_retries: row.max_retries, retry_interval_minutes: row.retry_interval_minutes }, DECODED),
    calling_window: row.calling_window,
    ...counters,
    created_at: new Date(row.created_at),
    updated_at: new Date(row.updated_at)
  }, DECODED)

export const toLead = (row: LeadRow): CampaignLead =>
  new CampaignLead({
    id: row.id,
    campaign_id: row.campaign_id,
    name: row.name,
    phone_number: row.phone_number,
    notes: row.notes,
    status: leadStatusOf(row.state, row.outcome),
    scheduled_at: new Date(row.scheduled_at),
    attempts: row.attempts,
    call_log_id: row.call_log_id,
    created_at: new Date(row.created_at),
    updated_at: new Date(row.updated_at)
  }, DECODED)

export const toCallLog = (row: CallLogRow): CallLog =>
  new CallLog({
    id: row.id,
    call_id: row.call_id,
    campaign_id: row.campaign_id,
    lead_id: row.lead_id,
    phone_number: row.phone_number,
    attempt: row.attempt,
    status: row.status,
    end_reason: row.end_reason,
    duration_seconds: row.duration_seconds,
    started_at: row.started_at === null ? null : new Date(row.started_at),
    ended_at: row.ended_at === null ? null : new Date(row.ended_at),
    created_at: new Date(row.created_at)
  }, DECODED)

/**
 * The columns the lead rules read, from a decoded row or a trusted one (`num` is a no-op on the
 * former).
 */
export const toSnapshot = (
  row: {
    readonly [K in "id" | "state" | "outcome" | "attempts" | "scheduled_at" | "claim_id" | "dialled" | "lease_expires_at" | "removed_from"]:
      LeadRow[K]
  }
): LeadSnapshot => ({
  id: row.id,
  state: row.state,
  outcome: row.outcome,
  attempts: num(row.attempts),
  scheduled_at: num(row.scheduled_at),
  claim_id: row.claim_id,
  dialled: num(row.dialled) === 1,
  lease_expires_at: numOrNull(row.lease_expires_at),
  removed_from: row.removed_from
})

/** Folds `GROUP BY state, outcome` counts into the wire counters. */
export const countersOf = (rows: ReadonlyArray<Pick<CounterRow, "state" | "outcome" | "n">>): CampaignCounters => {
  const c = { total_leads: 0, pending_leads: 0, in_progress_leads: 0, completed_leads: 0, failed_leads: 0, removed_leads: 0 }
  for (const r of rows) {
    c.total_leads += r.n
    switch (leadStatusOf(r.state, r.outcome)) {
      case "pending":
        c.pending_leads += r.n
        break
      case "in_progress":
        c.in_progress_leads += r.n
        break
      case "completed":
        c.completed_leads += r.n
        break
      case "failed":
        c.failed_leads += r.n
        break
      case "removed":
        c.removed_leads += r.n
        break
    }
  }
  return new CampaignCounters(c, DECODED)
}
