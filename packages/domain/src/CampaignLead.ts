import { Schema } from "effect"
import { CallLogId, CampaignId, LeadId } from "./Ids.js"
import { Notes } from "./Notes.js"
import { E164 } from "./Phone.js"

/**
 * The lead's state inside leadq (docs/design.md §3): pending → calling → called, plus removed.
 * `calling` has two phases that the removal rules tell apart: claimed by a worker but not yet
 * dialled, and dialled (ringing or connected).
 */
export const LeadState = Schema.Literal("pending", "calling", "called", "removed")
export type LeadState = typeof LeadState.Type

/** How a called lead ended. */
export const LeadOutcome = Schema.Literal("completed", "failed")
export type LeadOutcome = typeof LeadOutcome.Type

/** The lead `status` on the wire (DialNexa): `calling` shows as `in_progress`. */
export const LeadStatus = Schema.Literal("pending", "in_progress", "completed", "failed", "removed")
export type LeadStatus = typeof LeadStatus.Type

export const leadStatusOf = (state: LeadState, outcome: LeadOutcome | null): LeadStatus => {
  switch (state) {
    case "pending":
      return "pending"
    case "calling":
      return "in_progress"
    case "called":
      return outcome === "completed" ? "completed" : "failed"
    case "removed":
      return "removed"
  }
}

/** Which (state, outcome) rows a wire status filter selects. */
export const statesOfStatus = (
  status: LeadStatus
): { readonly state: LeadState; readonly outcome?: LeadOutcome } => {
  switch (status) {
    case "pending":
      return { state: "pending" }
    case "in_progress":
      return { state: "calling" }
    case "completed":
      return { state: "called", outcome: "completed" }
    case "failed":
      return { state: "called", outcome: "failed" }
    case "removed":
      return { state: "removed" }
  }
}

/**
 * Where a lead was when it was removed; kept in the removal's audit record and returned by
 * `DELETE`. `claimed`: a worker held it but had not dialled; `in_call`: the call was placed and
 * goes on to its natural end.
 */
export const RemovedFrom = Schema.Literal("pending", "claimed", "in_call", "called")
export type RemovedFrom = typeof RemovedFrom.Type

export const LeadName = Schema.Trim.pipe(Schema.maxLength(200, { message: () => "must be at most 200 characters" }))

/** A lead as the wire shows it. */
export class CampaignLead extends Schema.Class<CampaignLead>("CampaignLead")({
  id: LeadId,
  campaign_id: CampaignId,
  name: Schema.NullOr(Schema.String),
  phone_number: E164,
  notes: Notes,
  status: LeadStatus,
  scheduled_at: Schema.Date,
  attempts: Schema.Int,
  call_log_id: Schema.NullOr(CallLogId),
  created_at: Schema.Date,
  updated_at: Schema.Date
}) {}

/** A lead to enqueue, already validated. */
export interface LeadDraft {
  readonly name?: string | null | undefined
  readonly phone_number: E164
  readonly notes: Notes
}

/** A correction of a pending lead; `notes`, when given, replaces the notes whole. */
export interface LeadPatch {
  readonly name?: string | null | undefined
  readonly phone_number?: E164 | undefined
  readonly notes?: Notes | undefined
}

/** The answer to a removal: the documented message, plus the state the lead was removed from. */
export class LeadRemoval extends Schema.Class<LeadRemoval>("LeadRemoval")({
  message: Schema.String,
  lead_id: LeadId,
  removed_from: RemovedFrom,
  /** True when a call was in progress: it is not interrupted, and no retry will follow it. */
  call_in_progress: Schema.Boolean,
  /** Present (true) when `suppress=true` was asked: the lead's number was suppressed in the removal's transaction. */
  suppressed: Schema.optional(Schema.Boolean)
}) {}

export const REMOVAL_MESSAGE = "Lead removed from campaign."

/** At most this many leads (ids or phone numbers) in one bulk removal. */
export const MAX_BULK_REMOVAL = 1000

/** What became of one entry of a bulk removal; `removed` is exactly a 200 of the single DELETE. */
export const BulkRemovalOutcome = Schema.Literal("removed", "already_removed", "not_found", "refused")
export type BulkRemovalOutcome = typeof BulkRemovalOutcome.Type

export class BulkRemovalItem extends Schema.Class<BulkRemovalItem>("BulkRemovalItem")({
  /** The entry as sent: a lead id or a phone number. */
  input: Schema.String,
  /** The lead it named; null when none did. A number may name several leads: one item each. */
  lead_id: Schema.NullOr(LeadId),
  outcome: BulkRemovalOutcome,
  /** For `removed`: the state it was removed from. */
  removed_from: Schema.NullOr(RemovedFrom),
  /** For `removed` from a call: the call goes on, no retry follows. */
  call_in_progress: Schema.Boolean,
  /** With `suppress: true`: the number (the entry's, or its lead's) is suppressed, in the removal's transaction. */
  suppressed: Schema.optional(Schema.Boolean)
}) {}

export class BulkRemoval extends Schema.Class<BulkRemoval>("BulkRemoval")({
  results: Schema.Array(BulkRemovalItem),
  removed: Schema.Int,
  already_removed: Schema.Int,
  not_found: Schema.Int,
  refused: Schema.Int,
  /** With `suppress: true`: how many distinct numbers were suppressed, in the same transaction as the removals. */
  suppressed: Schema.optional(Schema.Int)
}) {}
