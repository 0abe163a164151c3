import * as SqlClient from "@effect/sql/SqlClient"
import type { CallLogQuery, OrganizationId } from "@leadq/domain"
import { CallLogNotFound, CallLogRepository, CampaignNotFound, pageMeta, pageOffset } from "@leadq/domain"
import { Effect, Layer, Option } from "effect"
import { CallLogRow, CountRow, toCallLog } from "./Rows.js"
import { findAll, findOne, orDieOnSql, single } from "./Sql.js"

export const makeCallLogRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const page = (org: OrganizationId, query: CallLogQuery) =>
    Effect.gen(function*() {
      const where = sql.and([
        sql`organization_id = ${org}`,
        ...(query.campaign_id !== undefined ? [sql`campaign_id = ${query.campaign_id}`] : []),
        ...(query.lead_id !== undefined ? [sql`lead_id = ${query.lead_id}`] : []),
        ...(query.status !== undefined ? [sql`status = ${query.status}`] : []),
        ...(query.start_date !== undefined ? [sql`created_at >= ${query.start_date.getTime()}`] : []),
        ...(query.end_date !== undefined ? [sql`created_at <= ${query.end_date.getTime()}`] : []),
        ...(query.duration_min !== undefined ? [sql`duration_seconds >= ${query.duration_min}`] : []),
        ...(query.duration_max !== undefined ? [sql`duration_seconds <= ${query.duration_max}`] : [])
      ])
      const order = query.sort === "asc" ? sql.literal("created_at ASC, seq ASC") : sql.literal("created_at DESC, seq DESC")
      const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM call_logs WHERE ${where}`)
      const rows = yield* findAll(
        CallLogRow,
        sql`SELECT * FROM call_logs WHERE ${where}
          ORDER BY ${order} LIMIT ${query.limit} OFFSET ${pageOffset(query)}`
      )
      return { data: rows.map(toCallLog), meta: pageMeta(query, count.n) }
    })

  const list = Effect.fn("leadq/CallLogRepository.list")(function*(org: OrganizationId, query: CallLogQuery) {
    return yield* page(org, query)
  }, orDieOnSql)

  const listByCampaign = Effect.fn("leadq/CallLogRepository.listByCampaign")(function*(
    org: OrganizationId,
    campaignId: string,
    query: CallLogQuery
  ) {
    const found = yield* sql`SELECT id FROM campaigns WHERE id = ${campaignId} AND organization_id = ${org}`
    if (found.length === 0) return yield* Effect.fail(CampaignNotFound.of(campaignId))
    return yield* page(org, { ...query, campaign_id: campaignId })
  }, orDieOnSql)

  const get = Effect.fn("leadq/CallLogRepository.get")(function*(org: OrganizationId, id: string) {
    const row = yield* findOne(CallLogRow, sql`SELECT * FROM call_logs WHERE id = ${id} AND organization_id = ${org}`)
    if (Option.isNone(row)) return yield* Effect.fail(CallLogNotFound.of(id))
    return toCallLog(row.value)
  }, orDieOnSql)

  return CallLogRepository.of({ list, listByCampaign, get })
})

export const CallLogRepositoryLive: Layer.Layer<CallLogRepository, never, SqlClient.SqlClient> = Layer.effect(
  CallLogRepository,
  makeCallLogRepository
)
