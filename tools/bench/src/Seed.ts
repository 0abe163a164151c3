import { SqlClient } from "@effect/sql"
import type { E164, LeadDraft } from "@leadq/domain"
import { ApiKeyRepository, CampaignRepository, LeadRepository, RetryConfig } from "@leadq/domain"
import { layerSqlite, StoreLive } from "@leadq/store"
import { Effect, Layer } from "effect"

/**
 * A leadq SQLite database holding one organization, its key, and `campaigns` running campaigns
 * with `leadsPerCampaign` pending leads each (scheduled far in the future, so a worker — if any —
 * leaves them alone). Returns the key and every lead id.
 */
export const seedSqlite = (file: string, campaigns: number, leadsPerCampaign: number, options?: { readonly startsAt?: Date }) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeyRepository
    const campaignRepo = yield* CampaignRepository
    const leads = yield* LeadRepository
    const sql = yield* SqlClient.SqlClient
    const issued = yield* keys.createKey("bench")
    const leadIds: Array<string> = []
    for (let c = 0; c < campaigns; c++) {
      const campaign = yield* campaignRepo.create(issued.organization_id, {
        name: `bench ${c}`,
        agent_id: "agent_bench",
        from_phone_number: "+14155550100" as E164,
        max_concurrent_calls: 10,
        retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 }),
        scheduled_at: options?.startsAt ?? new Date(Date.now() + 365 * 86_400_000)
      })
      const drafts: Array<LeadDraft> = Array.from({ length: leadsPerCampaign }, (_, i) => ({
        name: `Lead ${i}`,
        phone_number: `+1${String(2_000_000_000 + c * leadsPerCampaign + i)}` as E164,
        notes: { i }
      }))
      yield* leads.addMany(issued.organization_id, campaign.id, drafts)
      const rows = yield* sql<{ id: string }>`SELECT id FROM leads WHERE campaign_id = ${campaign.id} ORDER BY seq`
      leadIds.push(...rows.map((r) => r.id))
    }
    return { apiKey: issued.api_key, organizationId: issued.organization_id, leadIds }
  }).pipe(Effect.provide(StoreLive.pipe(Layer.provideMerge(layerSqlite(file)))))
