import type { LedgerLine } from "@leadq/telephony"

/**
 * A recorded run (docs/history-checks.md, "What to record"): what the clients asked and heard, what
 * the carrier's ledger says really happened, and what the database held at a few moments.
 * Times are epoch milliseconds on the machine's wall clock (clients, workers and the ledger share
 * one clock in every run we make).
 */

export type OpKind = "delete" | "pause" | "resume" | "cancel" | "add" | "suppress" | "lift" | "bulk_remove"

/** ok: answered with success; fail: answered with an error; unknown: may or may not have happened. */
export type OpOutcome = "ok" | "fail" | "unknown"

export interface ClientOp {
  readonly kind: OpKind
  /**
   * The lead (delete) or campaign (pause, resume, cancel, add, bulk_remove by numbers) the request
   * named; the number (E.164) for `suppress` (POST /v1/suppressions) and `lift`
   * (DELETE /v1/suppressions/{phone}).
   */
  readonly target: string
  readonly started_at: number
  /** When the answer was received (or given up on). */
  readonly ended_at: number
  readonly outcome: OpOutcome
  /** The HTTP status (store-level runs use the status the gateway would answer). */
  readonly status?: number | undefined
  /** For `add`: the lead created, and the slot it was given. */
  readonly lead_id?: string | undefined
  readonly scheduled_at?: number | undefined
  /** The caller's organization: a suppression, and its lift, hold in that organization only (check 9). */
  readonly organization_id?: string | undefined
  /**
   * The numbers (E.164) the request suppresses if it happened: the number of a `suppress`, the
   * lead's number of a `delete` with `?suppress=true`, the numbers of a bulk removal with
   * `suppress: true` or of a suppression upload.
   */
  readonly suppresses?: ReadonlyArray<string> | undefined
  /** For a suppression with an `expires_at`: when it stops being enforced. */
  readonly expires_at?: number | undefined
}

export interface LeadRow {
  readonly id: string
  readonly organization_id: string
  readonly campaign_id: string
  readonly state: "pending" | "calling" | "called" | "removed"
  readonly outcome: "completed" | "failed" | null
  readonly attempts: number
  readonly scheduled_at: number
  readonly claim_id: string | null
  readonly worker_id: string | null
  readonly dialled: boolean
  readonly call_log_id: string | null
  readonly removed_from: string | null
}

export interface CallLogRow {
  readonly id: string
  readonly call_id: string
  readonly organization_id: string
  readonly campaign_id: string
  readonly lead_id: string
  readonly attempt: number
  readonly status: string
  readonly end_reason: string | null
  readonly duration_seconds: number | null
  readonly started_at: number | null
  readonly ended_at: number | null
  readonly created_at: number
}

export interface RemovalRow {
  readonly id: string
  readonly lead_id: string
  readonly campaign_id: string
  readonly api_key_id: string
  readonly removed_from: "pending" | "claimed" | "in_call" | "called"
  /** Dials made before the removal. */
  readonly attempt: number
  readonly reason: string | null
  readonly removed_at: number
}

export interface CampaignRow {
  readonly id: string
  readonly organization_id: string
  readonly status: string
  readonly max_concurrent_calls: number
  readonly max_retries: number
}

export interface Snapshot {
  readonly taken_at: number
  readonly campaigns: ReadonlyArray<CampaignRow>
  readonly leads: ReadonlyArray<LeadRow>
  readonly call_logs: ReadonlyArray<CallLogRow>
  readonly removals: ReadonlyArray<RemovalRow>
}

/** A worker killed on purpose during the run. */
export interface Crash {
  readonly worker_id: string
  readonly killed_at: number
}

/** Requests made with organization B's key on organization A's ids, and A's rows around them. */
export interface TenancyProbes {
  readonly requests: ReadonlyArray<{ readonly request: string; readonly status: number }>
  /** A's rows by id, serialized exactly as read, before and after the probes. */
  readonly before: Readonly<Record<string, string>>
  readonly after: Readonly<Record<string, string>>
}

export interface History {
  /** The seed of every random choice of the run, printed with the violations. */
  readonly seed?: string | number | undefined
  readonly operations: ReadonlyArray<ClientOp>
  readonly ledger: ReadonlyArray<LedgerLine>
  /** In time order; the last one is taken once the run is quiet (no call going on). */
  readonly snapshots: ReadonlyArray<Snapshot>
  readonly crashes?: ReadonlyArray<Crash> | undefined
  readonly tenancy?: TenancyProbes | undefined
  /** For check 6: a dead worker's claims must be taken over within lease + sweep + slack. */
  readonly timing?: { readonly lease_ms: number; readonly sweep_interval_ms: number; readonly slack_ms: number } | undefined
}

export type CheckNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9

export interface Violation {
  readonly check: CheckNumber
  readonly message: string
  readonly lead_id?: string | undefined
  readonly campaign_id?: string | undefined
  readonly call_id?: string | undefined
}

export const CHECK_NAMES: Readonly<Record<CheckNumber, string>> = {
  1: "no dial after an acknowledged removal",
  2: "no double dial",
  3: "no lost log",
  4: "calls are not cut",
  5: "slots do not move",
  6: "crashes heal",
  7: "tenants stay apart",
  8: "pacing holds",
  9: "no dial of a suppressed number"
}
