import * as SqlClient from "@effect/sql/SqlClient"
import type { OrganizationId, RemovalAuditQuery } from "@leadq/domain"
import { callInProgressOf, LeadNotFound, pageMeta, pageOffset, RemovalAudit, RemovalAuditRepository } from "@leadq/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { findAll, findOne, num, orDieOnSql } from "./Sql.js"

const { call_in_progress: _derived, removed_at: _epoch, ...stored } = RemovalAudit.fields

/**
 * A `lead_removals` row joined with its lead's number, decoded into the wire record. The number
 * comes from the lead row: leads are never deleted, and only a pending lead's number can change,
 * so a removed lead's number is the one it had when it was removed. `call_in_progress` is not
 * stored: the removal rule sets it from `removed_from` alone.
 */
const RemovalAuditFromRow = Schema.transform(
  Schema.Struct({ ...stored, removed_at: Schema.Number }),
  Schema.typeSchema(RemovalAudit),
  {
    strict: true,
    decode: (row) =>
      new RemovalAudit({ ...row, call_in_progress: callInProgressOf(row.removed_from), removed_at: new Date(row.removed_at) }, true),
    encode: ({ call_in_progress: _, ...audit }) => ({ ...audit, removed_at: audit.removed_at.getTime() })
  }
)

export const makeRemovalAuditRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const columns = sql`r.id, r.lead_id, r.campaign_id, l.phone_number, r.removed_from, r.attempt, r.reason, r.api_key_id, r.removed_at`
  const fromJoined = sql`lead_removals r JOIN leads l ON l.id = r.lead_id`

  const list = Effect.fn("leadq/RemovalAuditRepository.list")(function*(org: OrganizationId, query: RemovalAuditQuery) {
    const byPhone = query.phone_number !== undefined
    const where = sql.and([
      sql`r.organization_id = ${org}`,
      ...(query.campaign_id !== undefined ? [sql`r.campaign_id = ${query.campaign_id}`] : []),
      // The lead's organization too, so the number is looked up by leads_by_phone.
      ...(byPhone ? [sql`l.organization_id = ${org}`, sql`l.phone_number = ${query.phone_number}`] : []),
      ...(query.api_key_id !== undefined ? [sql`r.api_key_id = ${query.api_key_id}`] : []),
      ...(query.from !== undefined ? [sql`r.removed_at >= ${query.from.getTime()}`] : []),
      ...(query.to !== undefined ? [sql`r.removed_at <= ${query.to.getTime()}`] : [])
    ])
    // Counting needs the lead row only to filter on its number.
    const [count] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM ${byPhone ? fromJoined : sql`lead_removals r`} WHERE ${where}`
    // A bulk removal writes its records in one millisecond: the id orders them stably across pages.
    const data = yield* findAll(
      RemovalAuditFromRow,
      sql`SELECT ${columns} FROM ${fromJoined} WHERE ${where}
        ORDER BY r.removed_at DESC, r.id DESC LIMIT ${query.limit} OFFSET ${pageOffset(query)}`
    )
    return { data, meta: pageMeta(query, num(count?.n ?? 0)) }
  }, orDieOnSql)

  const ofLead = Effect.fn("leadq/RemovalAuditRepository.ofLead")(function*(org: OrganizationId, leadId: string) {
    const audit = yield* findOne(
      RemovalAuditFromRow,
      sql`SELECT ${columns} FROM ${fromJoined} WHERE r.lead_id = ${leadId} AND r.organization_id = ${org}`
    )
    if (Option.isNone(audit)) {
      return yield* Effect.fail(new LeadNotFound({ lead_id: leadId, message: `No removal of lead ${leadId}: it was never removed, or is not found.` }))
    }
    return audit.value
  }, orDieOnSql)

  return RemovalAuditRepository.of({ list, ofLead })
})

export const RemovalAuditRepositoryLive: Layer.Layer<RemovalAuditRepository, never, SqlClient.SqlClient> = Layer.effect(
  RemovalAuditRepository,
  makeRemovalAuditRepository
)
