import { SqlClient } from "@effect/sql"
import type {
  CallLogStatus,
  CallOutcome,
  CampaignSnapshot,
  CampaignStatus,
  Claim,
  ClaimId,
  ClaimRef,
  ClaimRequest,
  Dial,
  ExpiredClaim,
  FinishResult
} from "@leadq/domain"
import { isInsideWindow, LeadLifecycle, LeadQueue, makeId, StaleClaim, unsafeMakeId } from "@leadq/domain"
import { Clock, Effect, Either, Layer, Option } from "effect"
import { completeIfDrained, mayHaveDrained } from "./Counters.js"
import { QueueWakeups } from "./QueueWakeups.js"
import { makeQueueBatches } from "./SqlQueueBatches.js"
import type { CallLogRow, CampaignRow, LeadRow } from "./Rows.js"
import { initiatedCallLogRow, retryConfigOf, toSnapshot, windowOf } from "./Rows.js"
import { makeLocks, num, orDieOnSql } from "./Sql.js"

type ClaimRow = LeadRow & Pick<CampaignRow, "agent_id" | "from_phone_number">

const toClaim = (row: ClaimRow): Claim => ({
  lead_id: row.id,
  claim_id: row.claim_id!,
  organization_id: row.organization_id,
  campaign_id: row.campaign_id,
  phone_number: row.phone_number,
  name: row.name,
  notes: JSON.parse(row.notes),
  agent_id: row.agent_id,
  from_phone_number: row.from_phone_number,
  attempt: num(row.attempts) + (num(row.dialled) === 1 ? 0 : 1),
  lease_expires_at: new Date(num(row.lease_expires_at))
})

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

  const campaignSnapshot = (campaignId: string, lock = sql.literal("")) =>
    Effect.map(
      sql<Pick<CampaignRow, "id" | "status" | "max_retries" | "retry_interval_minutes">>`
        SELECT id, status, max_retries, retry_interval_minutes FROM campaigns WHERE id = ${campaignId} ${lock}`,
      ([row]): CampaignSnapshot => {
        if (row === undefined) throw new Error(`campaign ${campaignId} vanished`)
        return { id: row.id, status: row.status, retry_config: retryConfigOf(row) }
      }
    )

  const lockLead = (leadId: string) =>
    Effect.map(sql<LeadRow>`SELECT * FROM leads WHERE id = ${leadId} ${locks.forUpdate}`, ([row]) => {
      if (row === undefined) throw new Error(`lead ${leadId} vanished`)
      return row
    })

  const claimDue = Effect.fn("leadq/LeadQueue.claimDue")(function*(request: ClaimRequest) {
    const now = yield* Clock.currentTimeMillis
    const claims = yield* sql.withTransaction(
      Effect.gen(function*() {
        const campaigns = yield* sql<
          Pick<CampaignRow, "id" | "max_concurrent_calls" | "calling_window" | "agent_id" | "from_phone_number">
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
          const rows = yield* sql<LeadRow>`
            UPDATE leads SET state = 'calling', claim_id = ${claimId}, worker_id = ${request.worker_id}, dialled = 0,
              lease_expires_at = ${leaseUntil}, updated_at = ${now}
            WHERE ${sql.in("id", picked.map((p) => p.id))} AND state = 'pending' AND claim_id IS NULL
            RETURNING *`
          for (const row of rows) out.push(toClaim({ ...row, agent_id: c.agent_id, from_phone_number: c.from_phone_number }))
        }
        return out
      })
    )
    return claims
  }, orDieOnSql)

  const startDial = Effect.fn("leadq/LeadQueue.startDial")(function*(claim: Claim, leaseMs: number) {
    const now = yield* Clock.currentTimeMillis
    const callLogId = yield* makeId.callLog
    const callId = yield* makeId.call
    const result = yield* sql.withTransaction(
      Effect.gen(function*() {
        // Campaign first (shared: a pause or cancel waits for us, or we see it), then the lead.
        const campaign = yield* campaignSnapshot(claim.campaign_id, locks.forShare)
        const row = yield* lockLead(claim.lead_id)
        const lead = toSnapshot(row)
        const decision = LeadLifecycle.startDial(lead, campaign, claim.claim_id, now, leaseMs)
        if (Either.isLeft(decision)) {
          const refusal = decision.left
          if (refusal._tag === "DialCancelled" && refusal.reason !== "lead_removed") {
            // Paused, cancelled or completed since the claim: give the lead back, in its slot.
            yield* sql`UPDATE leads SET state = 'pending', claim_id = NULL, worker_id = NULL, dialled = 0,
              lease_expires_at = NULL, updated_at = ${now}
              WHERE id = ${lead.id} AND claim_id = ${claim.claim_id} AND dialled = 0`
          }
          return Either.left(refusal)
        }
        const next = decision.right
        const changed = yield* sql`UPDATE leads SET dialled = 1, attempts = ${next.attempts}, call_log_id = ${callLogId},
            lease_expires_at = ${next.lease_expires_at}, updated_at = ${now}
          WHERE id = ${lead.id} AND claim_id = ${claim.claim_id} AND state = 'calling' AND dialled = 0
          RETURNING id`
        if (changed.length !== 1) return yield* Effect.die(new Error(`lead ${lead.id} changed under its lock`))
        // The call log is written before the carrier is asked anything (invariant 3).
        yield* sql`INSERT INTO call_logs ${
          sql.insert(initiatedCallLogRow({
            ...claim,
            call_log_id: callLogId,
            call_id: callId,
            phone_number: row.phone_number,
            attempt: next.attempts
          }, now))
        }`
        return Either.right<Dial>({
          ...claim,
          phone_number: row.phone_number,
          name: row.name,
          notes: JSON.parse(row.notes),
          attempt: next.attempts,
          lease_expires_at: new Date(next.lease_expires_at!),
          call_log_id: callLogId,
          call_id: callId
        })
      })
    )
    if (Either.isLeft(result)) {
      if (result.left._tag === "DialCancelled" && result.left.reason !== "lead_removed") yield* wakeups.notify
      return yield* Effect.fail(result.left)
    }
    return result.right
  }, orDieOnSql)

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

  const renewLease = Effect.fn("leadq/LeadQueue.renewLease")(function*(ref: ClaimRef, leaseMs: number) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* sql`UPDATE leads SET lease_expires_at = ${now + leaseMs}
      WHERE id = ${ref.lead_id} AND claim_id = ${ref.claim_id} AND state IN ('calling', 'removed') RETURNING id`
    if (rows.length !== 1) return yield* Effect.fail(StaleClaim.of(ref.lead_id, ref.claim_id))
  }, orDieOnSql)

  const finishCall = Effect.fn("leadq/LeadQueue.finishCall")(function*(dial: Dial, outcome: CallOutcome) {
    const now = yield* Clock.currentTimeMillis
    const result = yield* sql.withTransaction(
      Effect.gen(function*() {
        const campaign = yield* campaignSnapshot(dial.campaign_id)
        const row = yield* lockLead(dial.lead_id)
        const finished = yield* LeadLifecycle.finishCall(toSnapshot(row), campaign, dial.claim_id, outcome)
        if (row.call_log_id !== dial.call_log_id) return yield* Effect.fail(StaleClaim.of(dial.lead_id, dial.claim_id))
        const logs = yield* sql`UPDATE call_logs SET status = ${outcome.status}, end_reason = ${outcome.end_reason},
            duration_seconds = ${outcome.duration_seconds},
            started_at = COALESCE(started_at, ${outcome.connected_at?.getTime() ?? null}),
            ended_at = ${outcome.ended_at.getTime()}, updated_at = ${now}
          WHERE id = ${dial.call_log_id} AND status IN ('initiated', 'in_progress') RETURNING id`
        if (logs.length !== 1) return yield* Effect.die(new Error(`call log ${dial.call_log_id} was already final`))
        const next = finished.lead
        yield* sql`UPDATE leads SET state = ${next.state}, outcome = ${next.outcome}, scheduled_at = ${next.scheduled_at},
            claim_id = NULL, worker_id = NULL, dialled = 0, lease_expires_at = NULL, updated_at = ${now}
          WHERE id = ${row.id} AND claim_id = ${dial.claim_id}`
        return { retry: finished.retry, removed: row.state === "removed", campaign_status: campaign.status }
      })
    )
    let campaign_status: CampaignStatus = result.campaign_status
    if (!result.retry && (yield* mayHaveDrained(sql, dial.campaign_id))) {
      if (yield* completeIfDrained(sql, dial.campaign_id, now)) campaign_status = "completed"
    }
    return { ...result, campaign_status } satisfies FinishResult
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
    const rows = yield* sql<
      Pick<LeadRow, "id" | "claim_id" | "campaign_id" | "worker_id" | "dialled" | "call_log_id"> & {
        call_id: CallLogRow["call_id"] | null
        attempt: number | null
        log_status: CallLogStatus | null
        log_created_at: number | null
      }
    >`
      SELECT l.id, l.claim_id, l.campaign_id, l.worker_id, l.dialled, l.call_log_id,
             cl.call_id, cl.attempt, cl.status AS log_status, cl.created_at AS log_created_at
      FROM leads l LEFT JOIN call_logs cl ON cl.id = l.call_log_id AND l.dialled = 1
      WHERE l.claim_id IS NOT NULL AND l.lease_expires_at <= ${now}
      ORDER BY l.lease_expires_at LIMIT ${limit}`
    return rows.map((r): ExpiredClaim => ({
      lead_id: r.id,
      claim_id: r.claim_id!,
      campaign_id: r.campaign_id,
      worker_id: r.worker_id,
      dial: num(r.dialled) === 1 && r.call_id !== null
        ? Option.some({
          call_log_id: r.call_log_id!,
          call_id: r.call_id,
          attempt: num(r.attempt),
          log_status: r.log_status!,
          created_at: new Date(num(r.log_created_at))
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
        const [info] = yield* sql<Pick<CampaignRow, "agent_id" | "from_phone_number"> & Pick<CallLogRow, "call_id" | "attempt">>`
          SELECT c.agent_id, c.from_phone_number, cl.call_id, cl.attempt
          FROM campaigns c JOIN call_logs cl ON cl.id = ${row.call_log_id}
          WHERE c.id = ${row.campaign_id}`
        if (info === undefined) return yield* Effect.die(new Error(`dialled lead ${row.id} has no call log`))
        return Option.some<Dial>({
          ...toClaim({ ...row, claim_id: newClaim, lease_expires_at: taken.lease_expires_at, ...info }),
          attempt: num(info.attempt),
          call_log_id: row.call_log_id!,
          call_id: info.call_id
        })
      })
    )
    if (Option.isNone(result)) yield* wakeups.notify
    return result
  }, orDieOnSql)

  const nextDueAt = Effect.map(
    // One index seek per running campaign (leads_due), not a walk over every pending lead.
    sql<{ scheduled_at: number | null }>`
      SELECT min(next_due) AS scheduled_at FROM (
        SELECT (SELECT min(l.scheduled_at) FROM leads l WHERE l.campaign_id = c.id AND l.state = 'pending') AS next_due
        FROM campaigns c WHERE c.status = 'running'
      ) due`,
    ([row]) => Option.map(Option.fromNullable(row?.scheduled_at), (t) => new Date(num(t)))
  ).pipe(orDieOnSql, Effect.withSpan("leadq/LeadQueue.nextDueAt"))

  const { finishCalls, renewLeases, startDials } = makeQueueBatches(sql, wakeups)

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
