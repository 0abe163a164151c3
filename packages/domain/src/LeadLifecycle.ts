import { Either } from "effect"
import type { CallOutcome } from "./CallLog.js"
import type { CampaignStatus, RetryConfig } from "./Campaign.js"
import { isTerminal } from "./Campaign.js"
import type { LeadOutcome, LeadState, RemovedFrom } from "./CampaignLead.js"
import { leadStatusOf } from "./CampaignLead.js"
import { CampaignTerminal, DialCancelled, InvalidTransition, LeadLocked, LeadNotFound, StaleClaim } from "./Errors.js"
import { afterCall } from "./Retry.js"

/**
 * The lead state machine of docs/design.md §3 as pure functions. The store runs each of them on
 * the row it has locked and writes the result with a conditional update; the worker and the
 * gateway never decide these things themselves.
 *
 *   pending ──claim──▶ calling(claimed) ──startDial──▶ calling(dialled) ──finish──▶ called
 *      ▲                  │ release / lease lost            │ finish (no_answer/busy, retries left)
 *      └──────────────────┴─────────────────────────────────┘
 *   any of them ──remove──▶ removed   (a dialled call goes on; its end is recorded, no retry)
 */
export interface LeadSnapshot {
  readonly id: string
  readonly state: LeadState
  readonly outcome: LeadOutcome | null
  /** Dials made so far (the attempt number of the latest call). */
  readonly attempts: number
  readonly scheduled_at: number
  /** The current claim; null when no worker holds the lead. */
  readonly claim_id: string | null
  /** True once the current claim's dial has started (its call log is written). */
  readonly dialled: boolean
  readonly lease_expires_at: number | null
  readonly removed_from: RemovedFrom | null
}

export interface CampaignSnapshot {
  readonly id: string
  readonly status: CampaignStatus
  readonly retry_config: RetryConfig
}

const released = (lead: LeadSnapshot): LeadSnapshot => ({
  ...lead,
  claim_id: null,
  dialled: false,
  lease_expires_at: null
})

/** A worker takes a due pending lead of a running campaign. */
export const claim = (
  lead: LeadSnapshot,
  campaign: CampaignSnapshot,
  claimId: string,
  now: number,
  leaseMs: number
): Either.Either<LeadSnapshot, InvalidTransition> => {
  if (lead.state !== "pending" || lead.claim_id !== null) {
    return Either.left(InvalidTransition.of("lead", lead.id, lead.state, "claim"))
  }
  if (campaign.status !== "running") {
    return Either.left(InvalidTransition.of("campaign", campaign.id, campaign.status, "claim a lead of"))
  }
  if (lead.scheduled_at > now) {
    return Either.left(InvalidTransition.of("lead", lead.id, "not due", "claim"))
  }
  return Either.right({ ...lead, state: "calling", claim_id: claimId, dialled: false, lease_expires_at: now + leaseMs })
}

/**
 * The last re-check, in the transaction that writes the call log and starts the dial: the lead
 * must still be held by this claim, not removed, and its campaign still running. The next
 * attempt number is `attempts + 1`.
 */
export const startDial = (
  lead: LeadSnapshot,
  campaign: CampaignSnapshot,
  claimId: string,
  now: number,
  leaseMs: number
): Either.Either<LeadSnapshot, DialCancelled | StaleClaim> => {
  if (lead.state === "removed") return Either.left(DialCancelled.of(lead.id, "lead_removed"))
  if (lead.state !== "calling" || lead.claim_id !== claimId || lead.dialled) {
    return Either.left(StaleClaim.of(lead.id, claimId))
  }
  switch (campaign.status) {
    case "paused":
      return Either.left(DialCancelled.of(lead.id, "campaign_paused"))
    case "cancelled":
      return Either.left(DialCancelled.of(lead.id, "campaign_cancelled"))
    case "completed":
      return Either.left(DialCancelled.of(lead.id, "campaign_completed"))
    case "running":
      return Either.right({ ...lead, dialled: true, attempts: lead.attempts + 1, lease_expires_at: now + leaseMs })
  }
}

/** A claim given back before its dial (pause, cancel, shutdown): the lead keeps its slot. */
export const release = (lead: LeadSnapshot, claimId: string): Either.Either<LeadSnapshot, StaleClaim> =>
  lead.state === "calling" && lead.claim_id === claimId && !lead.dialled
    ? Either.right({ ...released(lead), state: "pending" })
    : Either.left(StaleClaim.of(lead.id, claimId))

/** The holder of a claim extends its lease while the call runs. */
export const renewLease = (
  lead: LeadSnapshot,
  claimId: string,
  now: number,
  leaseMs: number
): Either.Either<LeadSnapshot, StaleClaim> =>
  lead.claim_id === claimId && (lead.state === "calling" || lead.state === "removed")
    ? Either.right({ ...lead, lease_expires_at: now + leaseMs })
    : Either.left(StaleClaim.of(lead.id, claimId))

export interface CallFinished {
  readonly lead: LeadSnapshot
  /** True when the lead went back to the queue for another attempt. */
  readonly retry: boolean
}

/**
 * The call of the current claim ended. A lead removed during its call stays removed and gets no
 * retry; otherwise the retry rules decide between another attempt and a final outcome.
 */
export const finishCall = (
  lead: LeadSnapshot,
  campaign: CampaignSnapshot,
  claimId: string,
  outcome: CallOutcome
): Either.Either<CallFinished, StaleClaim> => {
  if (lead.claim_id !== claimId || !lead.dialled || (lead.state !== "calling" && lead.state !== "removed")) {
    return Either.left(StaleClaim.of(lead.id, claimId))
  }
  if (lead.state === "removed") return Either.right({ lead: released(lead), retry: false })
  const next = afterCall(outcome.status, lead.attempts, campaign.retry_config, campaign.status, outcome.ended_at.getTime())
  return Either.right(
    next._tag === "Retry"
      ? { lead: { ...released(lead), state: "pending", scheduled_at: next.scheduled_at }, retry: true }
      : { lead: { ...released(lead), state: "called", outcome: next.outcome }, retry: false }
  )
}

/**
 * Recovery of a claim whose lease ran out (its worker died or stalled): the recovering worker
 * takes the claim over under a new claim id, which fences the old holder out.
 */
export const takeOver = (
  lead: LeadSnapshot,
  expiredClaimId: string,
  newClaimId: string,
  now: number,
  leaseMs: number
): Either.Either<LeadSnapshot, StaleClaim> =>
  lead.claim_id === expiredClaimId && lead.lease_expires_at !== null && lead.lease_expires_at <= now
    ? Either.right({ ...lead, claim_id: newClaimId, lease_expires_at: now + leaseMs })
    : Either.left(StaleClaim.of(lead.id, expiredClaimId))

export interface Removal {
  readonly lead: LeadSnapshot
  readonly removed_from: RemovedFrom
  /** A call was placed and goes on; its log is finalized when it ends, and no retry follows. */
  readonly call_in_progress: boolean
}

/** Where in the table of docs/design.md §3 a lead stands. */
export const removalRowOf = (lead: LeadSnapshot): RemovedFrom | "removed" => {
  switch (lead.state) {
    case "pending":
      return "pending"
    case "calling":
      return lead.dialled ? "in_call" : "claimed"
    case "called":
      return "called"
    case "removed":
      return "removed"
  }
}

/**
 * docs/design.md §3, row by row:
 * - pending (never dialled, or waiting for a retry): leaves the queue at once;
 * - calling, not yet dialled: the claim is voided, so the worker's re-check cancels the dial;
 * - calling, dialled: the call is not interrupted; the claim stays until the call ends, is
 *   recorded as usual, and no retry is scheduled;
 * - called: leaves the queue; its call logs stay;
 * - removed already (or missing): 404; a completed or cancelled campaign: 409.
 */
export const remove = (
  lead: LeadSnapshot,
  campaign: CampaignSnapshot
): Either.Either<Removal, LeadNotFound | CampaignTerminal> => {
  const row = removalRowOf(lead)
  if (row === "removed") return Either.left(LeadNotFound.of(lead.id))
  if (isTerminal(campaign.status)) return Either.left(CampaignTerminal.of(campaign.id, campaign.status))
  const base: LeadSnapshot = { ...lead, state: "removed", removed_from: row }
  switch (row) {
    case "pending":
    case "called":
      return Either.right({ lead: base, removed_from: row, call_in_progress: false })
    case "claimed":
      return Either.right({ lead: released(base), removed_from: row, call_in_progress: false })
    case "in_call":
      return Either.right({ lead: base, removed_from: row, call_in_progress: true })
  }
}

/** Only a pending lead may be corrected (name, number, notes). */
export const ensureEditable = (lead: LeadSnapshot): Either.Either<LeadSnapshot, LeadNotFound | LeadLocked> => {
  if (lead.state === "removed") return Either.left(LeadNotFound.of(lead.id))
  if (lead.state !== "pending") return Either.left(LeadLocked.of(lead.id, leadStatusOf(lead.state, lead.outcome)))
  return Either.right(lead)
}

/** Does this lead hold one of its campaign's concurrent-call slots right now? */
export const holdsCallSlot = (lead: LeadSnapshot): boolean => lead.claim_id !== null
