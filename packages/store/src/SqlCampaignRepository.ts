import * as SqlClient from "@effect/sql/SqlClient"
import type { CampaignDraft, CampaignPatch, CampaignQuery, OrganizationId } from "@leadq/domain"
import {
  CampaignLifecycle,
  CampaignNotFound,
  CampaignRepository,
  makeId,
  pageMeta,
  pageOffset
} from "@leadq/domain"
import { Clock, Effect, Layer, Option } from "effect"
import { completeDrained, countersFor } from "./Counters.js"
import { QueueWakeups } from "./QueueWakeups.js"
import { appendEvents, statusChangedEvent } from "./Outbox.js"
import { CampaignRow, CountRow, toCampaign } from "./Rows.js"
import { findAll, findOne, makeLocks, orDieOnSql, single } from "./Sql.js"

export const makeCampaignRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const wakeups = yield* QueueWakeups
  const locks = makeLocks(sql)

  const withCounters = (rows: ReadonlyArray<CampaignRow>) =>
    Effect.map(countersFor(sql, rows.map((r) => r.id)), (counters) => rows.map((r) => toCampaign(r, counters.get(r.id))))

  const findRow = (org: OrganizationId, id: string, lock = sql.literal("")) =>
    Effect.flatMap(
      findOne(CampaignRow, sql`SELECT * FROM campaigns WHERE id = ${id} AND organization_id = ${org} ${lock}`),
      Option.match({ onNone: () => Effect.fail(CampaignNotFound.of(id)), onSome: Effect.succeed })
    )

  const get = Effect.fn("leadq/CampaignRepository.get")(function*(org: OrganizationId, id: string) {
    const row = yield* findRow(org, id)
    const [campaign] = yield* withCounters([row])
    return campaign!
  }, orDieOnSql)

  const create = Effect.fn("leadq/CampaignRepository.create")(function*(org: OrganizationId, draft: CampaignDraft) {
    const id = yield* makeId.campaign
    const now = yield* Clock.currentTimeMillis
    yield* sql`INSERT INTO campaigns ${
      sql.insert({
        id,
        organization_id: org,
        name: draft.name,
        agent_id: draft.agent_id,
        from_phone_number: draft.from_phone_number,
        status: "running",
        scheduled_at: draft.scheduled_at?.getTime() ?? now,
        max_concurrent_calls: draft.max_concurrent_calls,
        max_retries: draft.retry_config.max_retries,
        retry_interval_minutes: draft.retry_config.retry_interval_minutes,
        calling_window: draft.calling_window ? JSON.stringify(draft.calling_window) : null,
        created_at: now,
        updated_at: now
      })
    }`
    return yield* Effect.orDie(get(org, id))
  }, orDieOnSql)

  const list = Effect.fn("leadq/CampaignRepository.list")(function*(org: OrganizationId, query: CampaignQuery) {
    const where = sql.and([
      sql`organization_id = ${org}`,
      ...(query.status ? [sql`status = ${query.status}`] : [])
    ])
    const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM campaigns WHERE ${where}`)
    const rows = yield* findAll(
      CampaignRow,
      sql`SELECT * FROM campaigns WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${query.limit} OFFSET ${pageOffset(query)}`
    )
    return { data: yield* withCounters(rows), meta: pageMeta(query, count.n) }
  }, orDieOnSql)

  const hasDialled = (id: string) =>
    Effect.map(sql<{ x: number }>`SELECT 1 AS x FROM call_logs WHERE campaign_id = ${id} LIMIT 1`, (r) => r.length > 0)

  const update = Effect.fn("leadq/CampaignRepository.update")(function*(org: OrganizationId, id: string, patch: CampaignPatch) {
    const now = yield* Clock.currentTimeMillis
    const { before, status } = yield* sql.withTransaction(
      Effect.gen(function*() {
        const row = yield* findRow(org, id, locks.forUpdate)
        const status = yield* CampaignLifecycle.applyPatch(
          { id: row.id, status: row.status, agent_id: row.agent_id, has_dialled: yield* hasDialled(row.id) },
          patch
        )
        const set: Record<string, unknown> = { status, updated_at: now }
        if (patch.name !== undefined) set.name = patch.name
        if (patch.agent_id !== undefined) set.agent_id = patch.agent_id
        if (patch.max_concurrent_calls !== undefined) set.max_concurrent_calls = patch.max_concurrent_calls
        if (patch.retry_config !== undefined) {
          set.max_retries = patch.retry_config.max_retries
          set.retry_interval_minutes = patch.retry_config.retry_interval_minutes
        }
        if (patch.calling_window !== undefined) {
          set.calling_window = patch.calling_window === null ? null : JSON.stringify(patch.calling_window)
        }
        yield* sql`UPDATE campaigns SET ${sql.update(set)} WHERE id = ${row.id}`
        // Paused or resumed: the event commits with the change (docs/design.md §3, the outbox).
        if (status !== row.status) yield* appendEvents(sql, [statusChangedEvent(org, row.id, row.status, status, now)], now)
        return { before: row.status, status }
      })
    )
    if (before === "paused" && status === "running") {
      // A resumed campaign may already be drained; otherwise its due leads are ready for workers.
      yield* completeDrained(sql, [id], now)
      yield* wakeups.notify
    } else if (patch.max_concurrent_calls !== undefined || patch.calling_window !== undefined) {
      yield* wakeups.notify
    }
    return yield* get(org, id)
  }, orDieOnSql)

  const cancel = Effect.fn("leadq/CampaignRepository.cancel")(function*(org: OrganizationId, id: string) {
    const now = yield* Clock.currentTimeMillis
    yield* sql.withTransaction(
      Effect.gen(function*() {
        const row = yield* findRow(org, id, locks.forUpdate)
        const status = yield* CampaignLifecycle.cancel({ id: row.id, status: row.status, agent_id: row.agent_id, has_dialled: false })
        yield* sql`UPDATE campaigns SET status = ${status}, updated_at = ${now} WHERE id = ${row.id}`
        yield* appendEvents(sql, [statusChangedEvent(org, row.id, row.status, status, now)], now)
      })
    )
    return yield* get(org, id)
  }, orDieOnSql)

  return CampaignRepository.of({ create, get, list, update, cancel })
})

export const CampaignRepositoryLive: Layer.Layer<CampaignRepository, never, SqlClient.SqlClient | QueueWakeups> = Layer.effect(
  CampaignRepository,
  makeCampaignRepository
)

