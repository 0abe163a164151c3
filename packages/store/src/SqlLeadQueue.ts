import * as SqlClient from "@effect/sql/SqlClient"
import type { CallOutcome, Claim, ClaimId, ClaimRef, ClaimRequest, Dial, ExpiredClaim, Notes } from "@leadq/domain"
import {
  CallId,
  CallLogId,
  CallLogStatus,
  CampaignId,
  ClaimId as ClaimIdSchema,
  E164,
  isInsideWindow,
  LeadId,
  LeadLifecycle,
  LeadQueue,
  StaleClaim,
  unsafeMakeId
} from "@leadq/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { QueueWakeups } from "./QueueWakeups.js"
import type { LeadRow } from "./Rows.js"
import { EpochMsColumn, IntColumn, LeadRow as LeadRowSchema, toSnapshot } from "./Rows.js"
import { findAll, findOne, makeLocks, num, orDieOnSql, single } from "./Sql.js"
import { makeQueueBatches } from "./SqlQueueBatches.js"
import type { TrustedCampaignRow, TrustedLeadRow } from "./TrustedRows.js"
import { windowOf } from "./TrustedRows.js"

/** What a worker needs to place a claimed lead's call, from its row (notes parsed) and its campaign's. */
const toClaim = (
  row: Pick<LeadRow, "id" | "claim_id" | "organization_id" | "campaign_id" | "phone_number" | "name" | "attempts" | "dialled" | "lease_expires_at">,
  notes: Notes,
  campaign: Pick<TrustedCampaignRow, "agent_id" | "from_phone_number">
): Claim => ({
  lead_id: row.id,
  claim_id: row.claim_id!,
  organization_id: row.organization_id,
  campaign_id: row.campaign_id,
  phone_number: row.phone_number,
  name: row.name,
  notes,
  agent_id: campaign.agent_id,
  from_phone_number: campaign.from_phone_number,
  attempt: num(row.attempts) + (num(row.dialled) === 1 ? 0 : 1),
  lease_expires_at: new Date(num(row.lease_expires_at))
})

/** A claim whose lease ran out, with its call log when it was dialled (`expiredClaims`). */
const ExpiredRow = Schema.Struct({
  id: LeadId,
  claim_id: ClaimIdSchema,
  campaign_id: CampaignId,
  worker_id: Schema.NullOr(Schema.String),
  dialled: IntColumn,
  call_log_id: Schema.NullOr(CallLogId),
  call_id: Schema.NullOr(CallId),
  attempt: Schema.NullOr(IntColumn),
  log_status: Schema.NullOr(CallLogStatus),
  log_created_at: Schema.NullOr(EpochMsColumn)
})

/** What a recovered dial needs besides its lead: its campaign's caller and its call log. */
const RecoveredDialRow = Schema.Struct({ agent_id: Schema.String, from_phone_number: E164, call_id: CallId, attempt: IntColumn })

export const makeLeadQueue = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const wakeups = yield* QueueWakeups
  const locks = makeLocks(sql)
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  /** On PostgreSQL, one claimer per campaign at a time; the others skip it (no waiting). */
  const tryLockCampaign = (campaignId: string) =>
    isPg
      ? Effect.map(
        sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext(${campaignId})) AS locked`,
        ([r]) => r?.locked === true
      )
      : Effect.succeed(true)

  const lockLead = (leadId: string) =>
    Effect.flatMap(
      findOne(LeadRowSchema, sql`SELECT * FROM leads WHERE id = ${leadId} ${locks.forUpdate}`),
      Option.match({ onNone: () => Effect.dieMessage(`lead ${leadId} vanished`), onSome: Effect.succeed })
    )

  // The claim reads trusted rows (`TrustedRows.ts`): it is the worker's measured hot path.
  const claimDue = Effect.fn("leadq/LeadQueue.claimDue")(function*(request: ClaimRequest) {
    const now = yield* Clock.currentTimeMillis
    const claims = yield* sql.withTransaction(
      Effect.gen(function*() {
        const campaigns = yield* sql<
          Pick<TrustedCampaignRow, "id" | "max_concurrent_calls" | "calling_window" | "agent_id" | "from_phone_number">
        >`
          SELECT c.id, c.max_concurrent_calls, c.calling_window, c.agent_id, c.from_phone_number
          FROM campaigns c
          WHERE c.status = 'running' AND c.scheduled_at <= ${now}
            AND EXISTS (SELECT 1 FROM leads l WHERE l.campaign_id = c.id AND l.state = 'pending' AND l.scheduled_at <= ${now})
          ORDER BY (SELECT min(l.scheduled_at) FROM leads l WHERE l.campaign_id = c.id AND l.state = 'pending'), c.id
          LIMIT 100`
        const out: Array<Claim> = []
        for (const c of campaigns) {
          const remaining = request.limit - out.length
          if (remaining <= 0) break
          if (!(yield* tryLockCampaign(c.id))) continue
          const [active] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM leads WHERE campaign_id = ${c.id} AND claim_id IS NOT NULL`
          const take = Math.min(remaining, num(c.max_concurrent_calls) - num(active?.n ?? 0))
          if (take <= 0) continue
          let zoneFilter = sql.literal("")
          const window = windowOf(c.calling_window)
          if (window !== null) {
            const zones = yield* sql<{ timezone: string | null }>`SELECT DISTINCT timezone FROM leads
              WHERE campaign_id = ${c.id} AND state = 'pending' AND scheduled_at <= ${now}`
            const open = zones.filter((z) => isInsideWindow(window, now, z.timezone ?? window.timezone))
            if (open.length === 0) continue
            const named = open.flatMap((z) => (z.timezone === null ? [] : [z.timezone]))
            const clauses = [
              ...(named.length > 0 ? [sql.in("timezone", named)] : []),
              ...(open.some((z) => z.timezone === null) ? [sql`timezone IS NULL`] : [])
            ]
            zoneFilter = sql`AND ${sql.or(clauses)}`
          }
          const claimId = unsafeMakeId.claim()
          const leaseUntil = now + request.lease_ms
          const picked = yield* sql<{ id: string }>`
            SELECT id FROM leads
            WHERE campaign_id = ${c.id} AND state = 'pending' AND scheduled_at <= ${now} ${zoneFilter}
            ORDER BY scheduled_at, seq LIMIT ${take} ${locks.forUpdateSkipLocked}`
          if (picked.length === 0) continue
          const rows = yield* sql<TrustedLeadRow>`
            UPDATE leads SET state = 'calling', claim_id = ${claimId}, worker_id = ${request.worker_id}, dialled = 0,
              lease_expires_at = ${leaseUntil}, updated_at = ${now}
            WHERE ${sql.in("id", picked.map((p) => p.id))} AND state = 'pending' AND claim_id IS NULL
            RETURNING *`
          for (const row of rows) out.push(toClaim(row, JSON.parse(row.notes), c))
        }
        return out
      })
    )
    return claims
  }, orDieOnSql)

  const { finishCalls, renewLeases, startDials } = makeQueueBatches(sql, wakeups)

  // The single-lead transitions are batches of one: each transition is written once, in
  // `SqlQueueBatches.ts`, and answers a single lead exactly as it answers it inside a batch.
  const startDial = Effect.fn("leadq/LeadQueue.startDial")(function*(claim: Claim, leaseMs: number) {
    const [answer] = yield* startDials([claim], leaseMs)
    return yield* answer!
  })

  const renewLease = Effect.fn("leadq/LeadQueue.renewLease")(function*(ref: ClaimRef, leaseMs: number) {
    const stale = yield* renewLeases([ref], leaseMs)
    if (stale.length > 0) return yield* Effect.fail(StaleClaim.of(ref.lead_id, ref.claim_id))
  })

  const finishCall = Effect.fn("leadq/LeadQueue.finishCall")(function*(dial: Dial, outcome: CallOutcome) {
    const [answer] = yield* finishCalls([{ dial, outcome }])
    return yield* answer!
  })

  const ensureCurrent = (ref: ClaimRef) =>
    Effect.flatMap(
      sql`SELECT id FROM leads WHERE id = ${ref.lead_id} AND claim_id = ${ref.claim_id}`,
      (rows) => (rows.length === 1 ? Effect.void : Effect.fail(StaleClaim.of(ref.lead_id, ref.claim_id)))
    )

  const markConnected = Effect.fn("leadq/LeadQueue.markConnected")(function*(dial: Dial, connectedAt: Date) {
    const now = yield* Clock.currentTimeMillis
    yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* ensureCurrent(dial)
        yield* sql`UPDATE call_logs SET status = 'in_progress', started_at = ${connectedAt.getTime()}, updated_at = ${now}
          WHERE id = ${dial.call_log_id} AND status = 'initiated'`
      })
    )
  }, orDieOnSql)

  const release = Effect.fn("leadq/LeadQueue.release")(function*(ref: ClaimRef) {
    const now = yield* Clock.currentTimeMillis
    yield* sql.withTransaction(
      Effect.gen(function*() {
        const row = yield* lockLead(ref.lead_id)
        const next = yield* LeadLifecycle.release(toSnapshot(row), ref.claim_id)
        yield* sql`UPDATE leads SET state = ${next.state}, claim_id = NULL, worker_id = NULL, dialled = 0,
          lease_expires_at = NULL, updated_at = ${now} WHERE id = ${row.id} AND claim_id = ${ref.claim_id}`
      })
    )
    yield* wakeups.notify
  }, orDieOnSql)

  const expiredClaims = Effect.fn("leadq/LeadQueue.expiredClaims")(function*(limit: number) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* findAll(
      ExpiredRow,
      sql`
        SELECT l.id, l.claim_id, l.campaign_id, l.worker_id, l.dialled, l.call_log_id,
               cl.call_id, cl.attempt, cl.status AS log_status, cl.created_at AS log_created_at
        FROM leads l LEFT JOIN call_logs cl ON cl.id = l.call_log_id AND l.dialled = 1
        WHERE l.claim_id IS NOT NULL AND l.lease_expires_at <= ${now}
        ORDER BY l.lease_expires_at LIMIT ${limit}`
    )
    return rows.map((r): ExpiredClaim => ({
      lead_id: r.id,
      claim_id: r.claim_id,
      campaign_id: r.campaign_id,
      worker_id: r.worker_id,
      dial: r.dialled === 1 && r.call_log_id !== null && r.call_id !== null && r.attempt !== null && r.log_status !== null &&
          r.log_created_at !== null
        ? Option.some({
          call_log_id: r.call_log_id,
          call_id: r.call_id,
          attempt: r.attempt,
          log_status: r.log_status,
          created_at: new Date(r.log_created_at)
        })
        : Option.none()
    }))
  }, orDieOnSql)

  const recover = Effect.fn("leadq/LeadQueue.recover")(function*(expired: ExpiredClaim, workerId: string, leaseMs: number) {
    const now = yield* Clock.currentTimeMillis
    const newClaim = unsafeMakeId.claim() as ClaimId
    const result = yield* sql.withTransaction(
      Effect.gen(function*() {
        const row = yield* lockLead(expired.lead_id)
        const taken = yield* LeadLifecycle.takeOver(toSnapshot(row), expired.claim_id, newClaim, now, leaseMs)
        if (!taken.dialled) {
          // Never dialled: nobody was called, so the lead simply goes back to its slot.
          const back = yield* LeadLifecycle.release(taken, newClaim)
          yield* sql`UPDATE leads SET state = ${back.state}, claim_id = NULL, worker_id = NULL, dialled = 0,
            lease_expires_at = NULL, updated_at = ${now} WHERE id = ${row.id} AND claim_id = ${expired.claim_id}`
          return Option.none<Dial>()
        }
        yield* sql`UPDATE leads SET claim_id = ${newClaim}, worker_id = ${workerId},
          lease_expires_at = ${taken.lease_expires_at}, updated_at = ${now}
          WHERE id = ${row.id} AND claim_id = ${expired.claim_id}`
        const info = yield* findOne(
          RecoveredDialRow,
          sql`SELECT c.agent_id, c.from_phone_number, cl.call_id, cl.attempt
            FROM campaigns c JOIN call_logs cl ON cl.id = ${row.call_log_id}
            WHERE c.id = ${row.campaign_id}`
        )
        if (Option.isNone(info) || row.call_log_id === null) return yield* Effect.dieMessage(`dialled lead ${row.id} has no call log`)
        return Option.some<Dial>({
          ...toClaim({ ...row, claim_id: newClaim, lease_expires_at: taken.lease_expires_at }, row.notes, info.value),
          attempt: info.value.attempt,
          call_log_id: row.call_log_id,
          call_id: info.value.call_id
        })
      })
    )
    if (Option.isNone(result)) yield* wakeups.notify
    return result
  }, orDieOnSql)

  const nextDueAt = Effect.map(
    // One index seek per running campaign (leads_due), not a walk over every pending lead.
    single(
      Schema.Struct({ scheduled_at: Schema.NullOr(EpochMsColumn) }),
      sql`
        SELECT min(next_due) AS scheduled_at FROM (
          SELECT (SELECT min(l.scheduled_at) FROM leads l WHERE l.campaign_id = c.id AND l.state = 'pending') AS next_due
          FROM campaigns c WHERE c.status = 'running'
        ) due`
    ),
    (row) => Option.map(Option.fromNullable(row.scheduled_at), (t) => new Date(t))
  ).pipe(orDieOnSql, Effect.withSpan("leadq/LeadQueue.nextDueAt"))

  return LeadQueue.of({
    claimDue,
    startDial,
    startDials,
    finishCalls,
    renewLeases,
    markConnected,
    renewLease,
    finishCall,
    release,
    expiredClaims,
    recover,
    nextDueAt
  })
})

export const LeadQueueLive: Layer.Layer<LeadQueue, never, SqlClient.SqlClient | QueueWakeups> = Layer.effect(LeadQueue, makeLeadQueue)
