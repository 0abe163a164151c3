import { SqlClient } from "@effect/sql"
import type { E164, LeadDraft, OrganizationId } from "@leadq/domain"
import { ApiKeyRepository, CampaignRepository, LeadRepository, RetryConfig } from "@leadq/domain"
import { Effect } from "effect"

/** Far enough ahead that no worker touches the leads before the benchmark releases them. */
const LATER = () => new Date(Date.now() + 365 * 86_400_000)

export interface SeededQueue {
  readonly organizationId: OrganizationId
  readonly apiKey: string
  readonly campaignIds: ReadonlyArray<string>
  /** Lead ids in enqueue order, campaign after campaign. */
  readonly leadIds: ReadonlyArray<string>
}

/**
 * `campaigns` running campaigns of `leadsPerCampaign` leads each (no retries, the most concurrent
 * calls a campaign may have), all scheduled a year ahead: nothing is due until `releaseNow` or
 * `releaseAt` says so. Each lead's notes are empty: the simulated carrier's defaults decide the
 * call (zero ring and talk time in the benchmarks).
 */
export const seedQueue = (campaigns: number, leadsPerCampaign: number, phoneBase: number, organization?: { readonly id: OrganizationId; readonly apiKey: string }) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeyRepository
    const campaignRepo = yield* CampaignRepository
    const leads = yield* LeadRepository
    const sql = yield* SqlClient.SqlClient
    const org = organization !== undefined
      ? organization
      : yield* Effect.map(keys.createKey("bench"), (k) => ({ id: k.organization_id, apiKey: k.api_key }))
    const campaignIds: Array<string> = []
    const leadIds: Array<string> = []
    for (let c = 0; c < campaigns; c++) {
      const campaign = yield* campaignRepo.create(org.id, {
        name: `bench ${phoneBase} #${c}`,
        agent_id: "agent_bench",
        from_phone_number: "+14155550100" as E164,
        max_concurrent_calls: 100,
        retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 }),
        scheduled_at: LATER()
      })
      const drafts: Array<LeadDraft> = Array.from({ length: leadsPerCampaign }, (_, i) => ({
        name: `Lead ${i}`,
        phone_number: `+1${String(phoneBase + c * leadsPerCampaign + i)}` as E164,
        notes: {}
      }))
      yield* leads.addMany(org.id, campaign.id, drafts)
      const rows = yield* sql<{ id: string }>`SELECT id FROM leads WHERE campaign_id = ${campaign.id} ORDER BY seq`
      campaignIds.push(campaign.id)
      leadIds.push(...rows.map((r) => r.id))
    }
    return { organizationId: org.id, apiKey: org.apiKey, campaignIds, leadIds } satisfies SeededQueue
  })

/** Every lead of these campaigns due now: the backlog a worker drains as fast as it can. */
export const releaseNow = (campaignIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = Date.now()
    yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`UPDATE leads SET scheduled_at = ${now} WHERE ${sql.in("campaign_id", [...campaignIds])}`
      yield* sql`UPDATE campaigns SET scheduled_at = ${now} WHERE ${sql.in("id", [...campaignIds])}`
    }))
    return now
  })

/**
 * Each lead due at its own moment, from `firstAt` on, one every `gapMs` (round robin over the
 * leads given, in order): a steady stream of leads falling due, for the due-to-dial delay.
 * Returns each lead's `scheduled_at`.
 */
export const releaseAt = (campaignIds: ReadonlyArray<string>, leadIds: ReadonlyArray<string>, firstAt: number, gapMs: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const due = new Map<string, number>()
    yield* sql.withTransaction(Effect.gen(function*() {
      for (let i = 0; i < leadIds.length; i++) {
        const at = Math.round(firstAt + i * gapMs)
        due.set(leadIds[i]!, at)
        yield* sql`UPDATE leads SET scheduled_at = ${at} WHERE id = ${leadIds[i]!}`
      }
      yield* sql`UPDATE campaigns SET scheduled_at = ${firstAt} WHERE ${sql.in("id", [...campaignIds])}`
    }))
    return due
  })
