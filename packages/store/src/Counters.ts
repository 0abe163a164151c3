import type { SqlClient } from "@effect/sql"
import type { CampaignCounters, CampaignStatus, LeadOutcome, LeadState } from "@leadq/domain"
import { CampaignLifecycle } from "@leadq/domain"
import { Effect } from "effect"
import { countersOf, ZERO_COUNTERS } from "./Rows.js"

/**
 * Live counters, computed from the rows each time (an index-only scan of
 * `leads_by_campaign`), so they can never drift from the leads themselves.
 */
export const countersFor = (sql: SqlClient.SqlClient, campaignIds: ReadonlyArray<string>) =>
  campaignIds.length === 0
    ? Effect.succeed(new Map<string, CampaignCounters>())
    : Effect.map(
      sql<{ campaign_id: string; state: LeadState; outcome: LeadOutcome | null; n: number }>`
        SELECT campaign_id, state, outcome, count(*) AS n FROM leads
        WHERE ${sql.in("campaign_id", campaignIds)}
        GROUP BY campaign_id, state, outcome`,
      (rows) => {
        const byCampaign = new Map<string, Array<(typeof rows)[number]>>()
        for (const r of rows) {
          const list = byCampaign.get(r.campaign_id) ?? []
          list.push(r)
          byCampaign.set(r.campaign_id, list)
        }
        return new Map(campaignIds.map((id) => [id, byCampaign.has(id) ? countersOf(byCampaign.get(id)!) : ZERO_COUNTERS]))
      }
    )

/**
 * `running → completed` when the queue drained (docs/design.md §4). Its own short transaction,
 * run after the change that may have drained the queue has committed: it locks the campaign row
 * first (an enqueue holds that row shared while it inserts, so none can slip in between), then
 * looks at the leads with a fresh snapshot.
 */
export const completeIfDrained = (sql: SqlClient.SqlClient, campaignId: string, now: number) => {
  const forUpdate = sql.onDialectOrElse({ pg: () => sql.literal("FOR UPDATE"), orElse: () => sql.literal("") })
  return sql.withTransaction(
    Effect.gen(function*() {
      const [campaign] = yield* sql<{ status: CampaignStatus }>`SELECT status FROM campaigns WHERE id = ${campaignId} ${forUpdate}`
      if (campaign === undefined) return false
      const [q] = yield* sql<{ total: number; pending: number; calling: number; calls_in_flight: number }>`
        SELECT count(*) AS total,
               count(CASE WHEN state = 'pending' THEN 1 END) AS pending,
               count(CASE WHEN state = 'calling' THEN 1 END) AS calling,
               count(CASE WHEN state = 'removed' AND claim_id IS NOT NULL THEN 1 END) AS calls_in_flight
        FROM leads WHERE campaign_id = ${campaignId}`
      const counts = {
        total: Number(q?.total ?? 0),
        pending: Number(q?.pending ?? 0),
        calling: Number(q?.calling ?? 0),
        calls_in_flight: Number(q?.calls_in_flight ?? 0)
      }
      if (CampaignLifecycle.completeIfDrained(campaign.status, counts) !== "completed" || campaign.status === "completed") return false
      yield* sql`UPDATE campaigns SET status = 'completed', updated_at = ${now} WHERE id = ${campaignId} AND status = 'running'`
      return true
    })
  )
}

/** A cheap look, without locks, whether the queue may have drained (most of the time it has not). */
export const mayHaveDrained = (sql: SqlClient.SqlClient, campaignId: string) =>
  // Two index seeks (leads_by_campaign, leads_claimed); one query with an OR would walk every
  // lead of the campaign, removed ones included — on the removal hot path.
  Effect.map(
    sql<{ open: number }>`SELECT
      CASE WHEN EXISTS (SELECT 1 FROM leads WHERE campaign_id = ${campaignId} AND state IN ('pending', 'calling'))
        OR EXISTS (SELECT 1 FROM leads WHERE campaign_id = ${campaignId} AND claim_id IS NOT NULL)
      THEN 1 ELSE 0 END AS open`,
    ([row]) => Number(row?.open ?? 1) === 0
  )
