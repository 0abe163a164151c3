import type { Effect, Either, Option } from "effect"
import { Context } from "effect"
import type { CallLogStatus, CallOutcome } from "../CallLog.js"
import type { CallingWindow } from "../CallingWindow.js"
import type { CampaignStatus } from "../Campaign.js"
import type { DialCancelled, StaleClaim } from "../Errors.js"
import type { CallId, CallLogId, CampaignId, ClaimId, LeadId, OrganizationId } from "../Ids.js"
import type { Notes } from "../Notes.js"
import type { E164 } from "../Phone.js"

/** A worker's hold on a lead: the fencing token is the claim id (plus the attempt it leads to). */
export interface ClaimRef {
  readonly lead_id: LeadId
  readonly claim_id: ClaimId
}

/** What a worker needs to place the call of a claimed lead. */
export interface Claim extends ClaimRef {
  readonly organization_id: OrganizationId
  readonly campaign_id: CampaignId
  readonly phone_number: E164
  readonly name: string | null
  readonly notes: Notes
  readonly agent_id: string
  readonly from_phone_number: E164
  /** The attempt number this claim will dial (dials made so far + 1). */
  readonly attempt: number
  readonly lease_expires_at: Date
}

/** A dial that was started: its call log exists (status `initiated`) and the lead is marked dialled. */
export interface Dial extends Claim {
  readonly call_log_id: CallLogId
  readonly call_id: CallId
}

export interface ClaimRequest {
  readonly worker_id: string
  /** At most this many leads, across campaigns. */
  readonly limit: number
  readonly lease_ms: number
}

/** A claim whose lease ran out. When `dial` is present, a call was placed and its fate is unknown. */
export interface ExpiredClaim extends ClaimRef {
  readonly campaign_id: CampaignId
  readonly worker_id: string | null
  readonly dial: Option.Option<{
    readonly call_log_id: CallLogId
    readonly call_id: CallId
    readonly attempt: number
    readonly log_status: CallLogStatus
    readonly created_at: Date
  }>
}

export interface FinishResult {
  /** The lead went back to the queue for another attempt. */
  readonly retry: boolean
  /** The lead had been removed during the call (so no retry). */
  readonly removed: boolean
  /** The campaign's status after this call (it may have completed). */
  readonly campaign_status: CampaignStatus
}

/** A call that ended, for `finishCalls`: the dial it belongs to and how it ended. */
export interface EndedCall {
  readonly dial: Dial
  readonly outcome: CallOutcome
}

/** A campaign whose leads are due, for the claim loop to look at. */
export interface DueCampaign {
  readonly campaign_id: CampaignId
  readonly calling_window: CallingWindow | null
}

/**
 * The queue as the worker sees it (docs/design.md §5). Every method is one short transaction
 * that re-checks what it changes; a stale claim changes nothing and fails with `StaleClaim`.
 * `startDial`, `renewLease` and `finishCall` are the batch methods (`startDials`, `renewLeases`,
 * `finishCalls`) called with one lead: the worker uses the batches, tests and tools stage single
 * leads with these.
 */
export class LeadQueue extends Context.Tag("leadq/LeadQueue")<LeadQueue, {
  /**
   * Claim due leads of running campaigns, oldest slot first, never more per campaign than its
   * free concurrent-call slots, and only leads whose local time is inside their campaign's
   * calling window.
   */
  readonly claimDue: (request: ClaimRequest) => Effect.Effect<ReadonlyArray<Claim>>
  /**
   * The last re-check and the point of no return: in one transaction, verify the claim, the lead
   * (not removed) and the campaign (running), write the call log (`initiated`) and mark the lead
   * dialled. Only after this commits may the carrier be asked to dial.
   */
  readonly startDial: (claim: Claim, leaseMs: number) => Effect.Effect<Dial, DialCancelled | StaleClaim>
  /** The callee answered: the log goes `in_progress` with its `started_at`. */
  readonly markConnected: (dial: Dial, connectedAt: Date) => Effect.Effect<void, StaleClaim>
  readonly renewLease: (claim: ClaimRef, leaseMs: number) => Effect.Effect<void, StaleClaim>
  /** Log and lead in one transaction; retry scheduling; campaign completion when drained. */
  readonly finishCall: (dial: Dial, outcome: CallOutcome) => Effect.Effect<FinishResult, StaleClaim>
  /** Give back a claim that was not dialled (shutdown): the lead keeps its slot. */
  readonly release: (claim: ClaimRef) => Effect.Effect<void, StaleClaim>
  /** Claims whose lease ran out, oldest first. */
  readonly expiredClaims: (limit: number) => Effect.Effect<ReadonlyArray<ExpiredClaim>>
  /**
   * Take an expired claim over under a new claim id (fencing the old holder out). A claim that
   * was never dialled goes straight back to pending and `None` is returned; a dialled one is
   * returned as a `Dial` for the recovering worker to settle from the carrier's answer.
   */
  readonly recover: (
    expired: ExpiredClaim,
    workerId: string,
    leaseMs: number
  ) => Effect.Effect<Option.Option<Dial>, StaleClaim>
  /**
   * `startDial` for a batch of claims in ONE transaction (one commit, on SQLite one fsync),
   * answered claim by claim in the order given, each exactly as `startDial` would answer it
   * called for each claim in that order: the same re-check, the same fencing, the call logs of
   * every started dial committed before this returns (so before any of them is placed), and a
   * claim refused because its campaign was paused, cancelled or completed given back in its slot.
   * The worker places the started calls afterwards, in the same order.
   */
  readonly startDials: (
    claims: ReadonlyArray<Claim>,
    leaseMs: number
  ) => Effect.Effect<ReadonlyArray<Either.Either<Dial, DialCancelled | StaleClaim>>>
  /**
   * `finishCall` for a batch of ended calls in ONE transaction, answered call by call in the
   * order given, each exactly as `finishCall` would answer it; a stale one changes nothing.
   * Campaign completion is looked at once per campaign after the commit, so `campaign_status`
   * is the campaign's status after the whole batch.
   */
  readonly finishCalls: (calls: ReadonlyArray<EndedCall>) => Effect.Effect<ReadonlyArray<Either.Either<FinishResult, StaleClaim>>>
  /**
   * `renewLease` for many claims in one statement. Answers the claims that are stale (whose
   * lease was not renewed: the lead was taken over, or its claim voided by a removal before the
   * dial, or the call already finished); every other one now holds for `leaseMs` more.
   */
  readonly renewLeases: (claims: ReadonlyArray<ClaimRef>, leaseMs: number) => Effect.Effect<ReadonlyArray<ClaimRef>>
  /** When the next pending lead of a running campaign becomes due (for sleeping, not polling). */
  readonly nextDueAt: Effect.Effect<Option.Option<Date>>
}>() {}
