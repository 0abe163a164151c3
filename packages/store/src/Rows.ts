import type { CallLogStatus, CampaignStatus, EndReason, LeadOutcome, LeadSnapshot, LeadState, RemovedFrom } from "@leadq/domain"
import {
  CallingWindow,
  CallLog,
  Campaign,
  CampaignCounters,
  CampaignLead,
  leadStatusOf,
  RetryConfig
} from "@leadq/domain"
import type { CallId, CallLogId, CampaignId, ClaimId, LeadId, OrganizationId } from "@leadq/domain"
import type { E164 } from "@leadq/domain"
import { num, numOrNull } from "./Sql.js"

/** Rows as the database returns them (snake_case, epoch ms, 0/1, JSON text). */
export interface CampaignRow {
  readonly id: CampaignId
  readonly organization_id: OrganizationId
  readonly name: string
  readonly agent_id: string
  readonly from_phone_number: E164
  readonly status: CampaignStatus
  readonly scheduled_at: number
  readonly max_concurrent_calls: number
  readonly max_retries: number
  readonly retry_interval_minutes: number
  readonly calling_window: string | null
  readonly created_at: number
  readonly updated_at: number
}

export interface LeadRow {
  readonly id: LeadId
  readonly organization_id: OrganizationId
  readonly campaign_id: CampaignId
  readonly name: string | null
  readonly phone_number: E164
  readonly notes: string
  readonly timezone: string | null
  readonly state: LeadState
  readonly outcome: LeadOutcome | null
  readonly attempts: number
  readonly scheduled_at: number
  readonly claim_id: ClaimId | null
  readonly worker_id: string | null
  readonly dialled: number
  readonly lease_expires_at: number | null
  readonly call_log_id: CallLogId | null
  readonly removed_from: RemovedFrom | null
  readonly removed_at: number | null
  readonly created_at: number
  readonly updated_at: number
}

export interface CallLogRow {
  readonly id: CallLogId
  readonly organization_id: OrganizationId
  readonly campaign_id: CampaignId
  readonly lead_id: LeadId
  readonly call_id: CallId
  readonly provider_call_id: string | null
  readonly claim_id: ClaimId
  readonly phone_number: E164
  readonly attempt: number
  readonly status: CallLogStatus
  readonly end_reason: EndReason | null
  readonly duration_seconds: number | null
  readonly started_at: number | null
  readonly ended_at: number | null
  readonly created_at: number
  readonly updated_at: number
}

export const ZERO_COUNTERS = new CampaignCounters({
  total_leads: 0,
  pending_leads: 0,
  in_progress_leads: 0,
  completed_leads: 0,
  failed_leads: 0,
  removed_leads: 0
})

/**
 * Rows were validated on their way in (every write goes through the domain's schemas), so models
 * are rebuilt from them without a second validation pass: `TRUSTED` is Schema.Class's
 * "disable validation" flag. This is most of the CPU of a list of 100 leads.
 */
const TRUSTED = true

export const windowOf = (json: string | null): CallingWindow | null =>
  json === null ? null : new CallingWindow(JSON.parse(json), TRUSTED)

export const retryConfigOf = (row: Pick<CampaignRow, "max_retries" | "retry_interval_minutes">) =>
  new RetryConfig({ max_retries: num(row.max_retries), retry_interval_minutes: num(row.retry_interval_minutes) }, TRUSTED)

export const toCampaign = (row: CampaignRow, counters: CampaignCounters = ZERO_COUNTERS): Campaign =>
  new Campaign({
    id: row.id,
    name: row.name,
    agent_id: row.agent_id,
    from_phone_number: row.from_phone_number,
    status: row.status,
    scheduled_at: new Date(num(row.scheduled_at)),
    max_concurrent_calls: num(row.max_concurrent_calls),
    retry_config: retryConfigOf(row),
    calling_window: windowOf(row.calling_window),
    ...counters,
    created_at: new Date(num(row.created_at)),
    updated_at: new Date(num(row.updated_at))
  }, TRUSTED)

export const toLead = (row: LeadRow): CampaignLead =>
  new CampaignLead({
    id: row.id,
    campaign_id: row.campaign_id,
    name: row.name,
    phone_number: row.phone_number,
    notes: JSON.parse(row.notes),
    status: leadStatusOf(row.state, row.outcome),
    scheduled_at: new Date(num(row.scheduled_at)),
    attempts: num(row.attempts),
    call_log_id: row.call_log_id,
    created_at: new Date(num(row.created_at)),
    updated_at: new Date(num(row.updated_at))
  }, TRUSTED)

export const toSnapshot = (
  row: Pick<LeadRow, "id" | "state" | "outcome" | "attempts" | "scheduled_at" | "claim_id" | "dialled" | "lease_expires_at" | "removed_from">
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

export const toCallLog = (row: CallLogRow): CallLog =>
  new CallLog({
    id: row.id,
    call_id: row.call_id,
    campaign_id: row.campaign_id,
    lead_id: row.lead_id,
    phone_number: row.phone_number,
    attempt: num(row.attempt),
    status: row.status,
    end_reason: row.end_reason,
    duration_seconds: numOrNull(row.duration_seconds),
    started_at: row.started_at === null ? null : new Date(num(row.started_at)),
    ended_at: row.ended_at === null ? null : new Date(num(row.ended_at)),
    created_at: new Date(num(row.created_at))
  }, TRUSTED)

/** Folds `GROUP BY state, outcome` counts into the wire counters. */
export const countersOf = (rows: ReadonlyArray<{ state: LeadState; outcome: LeadOutcome | null; n: unknown }>): CampaignCounters => {
  const c = { total_leads: 0, pending_leads: 0, in_progress_leads: 0, completed_leads: 0, failed_leads: 0, removed_leads: 0 }
  for (const r of rows) {
    const n = num(r.n)
    c.total_leads += n
    switch (leadStatusOf(r.state, r.outcome)) {
      case "pending":
        c.pending_leads += n
        break
      case "in_progress":
        c.in_progress_leads += n
        break
      case "completed":
        c.completed_leads += n
        break
      case "failed":
        c.failed_leads += n
        break
      case "removed":
        c.removed_leads += n
        break
    }
  }
  return new CampaignCounters(c, TRUSTED)
}

/**
 * The call log of an attempt whose dial is starting: written, `initiated`, before the carrier is
 * asked anything (invariant 3). One shape for the single and the batched start.
 */
export const initiatedCallLogRow = (dial: {
  readonly call_log_id: string
  readonly organization_id: string
  readonly campaign_id: string
  readonly lead_id: string
  readonly call_id: string
  readonly claim_id: string
  readonly phone_number: string
  readonly attempt: number
}, now: number) => ({
  id: dial.call_log_id,
  organization_id: dial.organization_id,
  campaign_id: dial.campaign_id,
  lead_id: dial.lead_id,
  call_id: dial.call_id,
  provider_call_id: null,
  claim_id: dial.claim_id,
  phone_number: dial.phone_number,
  attempt: dial.attempt,
  status: "initiated",
  end_reason: null,
  duration_seconds: null,
  started_at: null,
  ended_at: null,
  created_at: now,
  updated_at: now
})
