import type { CampaignDraft, E164 } from "@leadq/domain"
import { RetryConfig } from "@leadq/domain"

/** A campaign staged straight through the repository: no retries, so a call ends its lead. */
export const campaignDraft = (name: string, maxConcurrentCalls = 5): CampaignDraft => ({
  name,
  agent_id: "agent_1",
  from_phone_number: "+14155550100" as E164,
  max_concurrent_calls: maxConcurrentCalls,
  retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })
})
