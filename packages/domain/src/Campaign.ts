import { Schema } from "effect"
import { CallingWindow } from "./CallingWindow.js"
import { CampaignId } from "./Ids.js"
import { E164 } from "./Phone.js"

/** docs/design.md §4: `running ⇄ paused`, `running|paused → cancelled`, `running → completed`. */
export const CampaignStatus = Schema.Literal("running", "paused", "completed", "cancelled")
export type CampaignStatus = typeof CampaignStatus.Type

export const isTerminal = (status: CampaignStatus): status is "completed" | "cancelled" =>
  status === "completed" || status === "cancelled"

export const MAX_RETRIES_LIMIT = 4
export const MAX_CONCURRENT_CALLS_LIMIT = 100

export class RetryConfig extends Schema.Class<RetryConfig>("RetryConfig")({
  max_retries: Schema.Int.pipe(
    Schema.between(0, MAX_RETRIES_LIMIT, { message: () => `must be an integer from 0 to ${MAX_RETRIES_LIMIT}` })
  ),
  retry_interval_minutes: Schema.Int.pipe(
    Schema.between(1, 10_080, { message: () => "must be an integer from 1 to 10080 (one week)" })
  )
}) {}

export const DEFAULT_RETRY_CONFIG = new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })

export const CampaignName = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" })
)
export const AgentId = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(128, { message: () => "must be at most 128 characters" })
)
export const MaxConcurrentCalls = Schema.Int.pipe(
  Schema.between(1, MAX_CONCURRENT_CALLS_LIMIT, {
    message: () => `must be an integer from 1 to ${MAX_CONCURRENT_CALLS_LIMIT}`
  })
)

/** Live counters of a campaign's leads, by wire status. `total_leads` counts removed leads too. */
export class CampaignCounters extends Schema.Class<CampaignCounters>("CampaignCounters")({
  total_leads: Schema.Int,
  pending_leads: Schema.Int,
  in_progress_leads: Schema.Int,
  completed_leads: Schema.Int,
  failed_leads: Schema.Int,
  removed_leads: Schema.Int
}) {}

/** A campaign as the wire shows it (snake_case, ISO timestamps), with its live counters. */
export class Campaign extends Schema.Class<Campaign>("Campaign")({
  id: CampaignId,
  name: Schema.String,
  agent_id: Schema.String,
  from_phone_number: E164,
  status: CampaignStatus,
  scheduled_at: Schema.Date,
  max_concurrent_calls: Schema.Int,
  retry_config: RetryConfig,
  calling_window: Schema.NullOr(CallingWindow),
  total_leads: Schema.Int,
  pending_leads: Schema.Int,
  in_progress_leads: Schema.Int,
  completed_leads: Schema.Int,
  failed_leads: Schema.Int,
  removed_leads: Schema.Int,
  created_at: Schema.Date,
  updated_at: Schema.Date
}) {}

/** What it takes to create a campaign, already validated (the wire body decodes into this). */
export interface CampaignDraft {
  readonly name: string
  readonly agent_id: string
  readonly from_phone_number: E164
  readonly scheduled_at?: Date | undefined
  readonly max_concurrent_calls: number
  readonly retry_config: RetryConfig
  readonly calling_window?: CallingWindow | null | undefined
}

/** A partial update; absent fields stay as they are. `status` pauses or resumes. */
export interface CampaignPatch {
  readonly name?: string | undefined
  readonly agent_id?: string | undefined
  readonly max_concurrent_calls?: number | undefined
  readonly retry_config?: RetryConfig | undefined
  readonly calling_window?: CallingWindow | null | undefined
  readonly status?: "paused" | "running" | undefined
}
