import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type { CampaignCounters } from "@leadq/domain"
import { CampaignLifecycle, CampaignStatus } from "@leadq/domain"
import { Effect, Option, Schema } from "effect"
import { appendEvents, statusChangedEvent } from "./Outbox.js"
import { CounterRow, countersOf, IntColumn, ZERO_COUNTERS } from "./Rows.js"
import { findAll, findOne, makeLocks, num, single } from "./Sql.js"

/**
 * Live counters, computed from the rows each time (an index-only scan of
 * `leads_by_campaign`), so they can never drift from the leads themselves.
 */
export const countersFor = (sql: SqlClient.SqlClient, campaignIds: ReadonlyArray<string>) =>
  campaignIds.length === 0
    ? Effect.succeed(new Map<string, CampaignCounters>())
    : Effect.map(
      findAll(
        CounterRow,
        sql`SELECT campaign_id, state, outcome, count(*) AS n FROM leads
          WHERE ${sql.in("campaign_id", campaignIds)}
          GROUP BY campaign_id, state, outcome`
      ),
      (rows) => {
        const byCampaign = new Map<string, Array<CounterRow>>()
        for (const r of rows) {
          const list = byCampaign.get(r.campaign_id) ?? []
          list.push(r)
          byCampaign.set(r.campaign_id, list)
        }
        return new Map(campaignIds.map((id) => [id, byCampaign.has(id) ? countersOf(byCampaign.get(id)!) : ZERO_COUNTERS]))
      }
    )

/**
 * The one question "does this campaign still have open leads?" (pending or calling, or removed
 * with its call still going on), as an SQL condition. `campaign` is a value or a column of the
 * outer query; `except` leaves out a lead (`AND o.id <> l.id`). Two index seeks
 * (`leads_by_campaign`, `leads_claimed`); one query with an OR would walk every lead of the
 * campaign, removed ones included — on the removal hot path.
 */
export const openLeadsExist = (sql: SqlClient.SqlClient, campaign: string | Statement.Fragment, except?: Statement.Fragment) => {
  const others = except ?? sql.literal("")
  return sql`(EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = ${campaign} ${others} AND o.state IN ('pending', 'calling'))
    OR EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = ${campaign} ${others} AND o.claim_id IS NOT NULL))`
}

const DrainCounts = Schema.Struct({ total: IntColumn, pending: IntColumn, calling: IntColumn, calls_in_flight: IntColumn })

/**
 * `running → completed` when the queue drained (docs/design.md §4). Its own short transaction,
 * run after the change that may have drained the queue has committed: it locks the campaign row
 * first (an enqueue holds that row shared while it inserts, so none can slip in between), then
 * looks at the leads with a fresh snapshot. True when this call completed the campaign.
 */
export const completeIfDrained = (sql: SqlClient.SqlClient, campaignId: string, now: number) => {
  const { forUpdate } = makeLocks(sql)
  return sql.withTransaction(
    Effect.gen(function*() {
      const campaign = yield* findOne(
        Schema.Struct({ status: CampaignStatus, organization_id: Schema.String }),
        sql`SELECT status, organization_id FROM campaigns WHERE id = ${campaignId} ${forUpdate}`
      )
      if (Option.isNone(campaign)) return false
      const status = campaign.value.status
      const counts = yield* single(
        DrainCounts,
        sql`SELECT count(*) AS total,
               count(CASE WHEN state = 'pending' THEN 1 END) AS pending,
               count(CASE WHEN state = 'calling' THEN 1 END) AS calling,
               count(CASE WHEN state = 'removed' AND claim_id IS NOT NULL THEN 1 END) AS calls_in_flight
          FROM leads WHERE campaign_id = ${campaignId}`
      )
      if (CampaignLifecycle.completeIfDrained(status, counts) !== "completed" || status === "completed") return false
      const changed = yield* sql`UPDATE campaigns SET status = 'completed', updated_at = ${now}
        WHERE id = ${campaignId} AND status = 'running' RETURNING id`
      if (changed.length === 0) return false
      // The completion's event commits with it (docs/design.md §3, the outbox).
      yield* appendEvents(sql, [statusChangedEvent(campaign.value.organization_id, campaignId, status, "completed", now)], now)
      return true
    })
  )
}

/**
 * A cheap look, without locks, whether the queue may have drained (most of the time it has not).
 * A trusted row (see `TrustedRows.ts`): it runs after every batch of finished calls and, on
 * PostgreSQL, after every removal.
 */
const mayHaveDrained = (sql: SqlClient.SqlClient, campaignId: string) =>
  Effect.map(
    sql<{ open: unknown }>`SELECT CASE WHEN ${openLeadsExist(sql, campaignId)} THEN 1 ELSE 0 END AS open`,
    ([row]) => num(row?.open ?? 1) === 0
  )

/**
 * `running → completed` for each of these campaigns whose queue drained, looked at after the
 * commit of the change that may have drained it, once per campaign. Answers the campaigns this
 * call completed.
 */
export const completeDrained = (sql: SqlClient.SqlClient, campaignIds: Iterable<string>, now: number) =>
  Effect.reduce(new Set(campaignIds), new Set<string>(), (completed, id) =>
    Effect.map(
      Effect.flatMap(mayHaveDrained(sql, id), (drained) => (drained ? completeIfDrained(sql, id, now) : Effect.succeed(false))),
      (done) => (done ? completed.add(id) : completed)
    ))
