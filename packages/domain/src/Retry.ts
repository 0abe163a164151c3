import type { FinalCallStatus } from "./CallLog.js"
import type { CampaignStatus, RetryConfig } from "./Campaign.js"
import type { LeadOutcome } from "./CampaignLead.js"

/** What becomes of a lead whose call just ended (and which was not removed meanwhile). */
export type AfterCall =
  | { readonly _tag: "Retry"; readonly scheduled_at: number }
  | { readonly _tag: "Final"; readonly outcome: LeadOutcome }

/** Statuses worth another try: the person was not reached, through no fault of the number. */
export const isRetryable = (status: FinalCallStatus): boolean => status === "no_answer" || status === "busy"

/**
 * docs/design.md §4: a `no_answer` or `busy` attempt is re-queued `retry_interval_minutes` after it
 * ended, at most `max_retries` times (so a lead is dialled at most `1 + max_retries` times);
 * `failed` (and `cancelled`) is final. A cancelled or completed campaign schedules no retry.
 * `attempts` counts the dials made, this one included.
 */
export const afterCall = (
  status: FinalCallStatus,
  attempts: number,
  retry: RetryConfig,
  campaignStatus: CampaignStatus,
  endedAt: number
): AfterCall => {
  if (status === "completed") return { _tag: "Final", outcome: "completed" }
  if (
    isRetryable(status) &&
    attempts < 1 + retry.max_retries &&
    campaignStatus !== "cancelled" &&
    campaignStatus !== "completed"
  ) {
    return { _tag: "Retry", scheduled_at: endedAt + retry.retry_interval_minutes * 60_000 }
  }
  return { _tag: "Final", outcome: "failed" }
}
