import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type {
  CampaignSnapshot,
  CampaignStatus,
  Claim,
  ClaimRef,
  Dial,
  DialCancelled,
  EndedCall,
  FinishResult,
  LeadSnapshot,
  PendingEvent
} from "@leadq/domain"
import { DialCancelled as DialCancelledError, LeadLifecycle, StaleClaim, unsafeMakeId } from "@leadq/domain"
import type { Context } from "effect"
import { Clock, Effect, Either } from "effect"
import { completeDrained } from "./Counters.js"
import type { QueueWakeups } from "./QueueWakeups.js"
import type { CallLogEventRow } from "./Outbox.js"
import { appendEvents, CALL_LOG_EVENT_COLUMNS, callLogPayload } from "./Outbox.js"
import { toSnapshot } from "./Rows.js"
import { makeLocks, orDieOnSql } from "./Sql.js"
import type { ActiveSuppression } from "./Suppressions.js"
import { activeSuppressions, lockNumbers, suppressionKey } from "./Suppressions.js"
import type { TrustedCampaignRow, TrustedLeadRow } from "./TrustedRows.js"
import { retryConfigOf } from "./TrustedRows.js"

/**
 * The queue transitions of a dial — start, renew, finish — written once, over a batch of leads,
 * each batch in ONE transaction: at a thousand leads a second, a transaction (on SQLite an
 * fsync) and a dozen statements per lead are most of the cost, and these spread them over the
 * batch. Each answers lead by lead, in the order given, exactly as a batch of one would for each
 * in that order (the single-lead methods of `SqlLeadQueue` ARE batches of one): the same rules
 * (`LeadLifecycle`), the same fencing, the same writes. They read trusted rows (`TrustedRows.ts`):
 * this is the worker's measured hot path.
 *
 * Per-row values travel in a `WITH v(…) AS (VALUES …)` table joined by `UPDATE … FROM` (both
 * engines); PostgreSQL types such a column as text, hence the casts where a column is a number.
 * On PostgreSQL, campaign rows are locked before lead rows and lead rows in id order, as
 * everywhere else in the store, so two batches never wait on each other in a cycle.
 */

/** Rows per statement: keeps every statement well under both engines' parameter limits. */
const CHUNK = 500

const chunksOf = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  if (items.length === 0) return []
  if (items.length <= CHUNK) return [items]
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

const vanished = (what: string, id: string) => Effect.dieMessage(`${what} ${id} vanished`)

/** The reason a lead removed by the dial re-check is audited with (docs/design.md §3, suppressions). */
export const SUPPRESSED_REASON = "suppressed"

/** The call log of an attempt whose dial is starting: written, `initiated`, before the carrier is asked anything (invariant 3). */
const initiatedCallLogRow = (dial: Dial, phoneNumber: string, now: number) => ({
  id: dial.call_log_id,
  organization_id: dial.organization_id,
  campaign_id: dial.campaign_id,
  lead_id: dial.lead_id,
  call_id: dial.call_id,
  provider_call_id: null,
  claim_id: dial.claim_id,
  phone_number: phoneNumber,
  attempt: dial.attempt,
  status: "initiated" as const,
  end_reason: null,
  duration_seconds: null,
  started_at: null,
  ended_at: null,
  created_at: now,
  updated_at: now
})

export const makeQueueBatches = (sql: SqlClient.SqlClient, wakeups: Context.Tag.Service<QueueWakeups>) => {
  const locks = makeLocks(sql)
  const returningCallLog = sql.literal(["organization_id", ...CALL_LOG_EVENT_COLUMNS].map((c) => `call_logs.${c}`).join(", "))

  /** `(?, ?, …), (?, ?, …)`: the rows of a VALUES list. */
  const rowsOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>): Statement.Fragment =>
    sql.csv(rows.map((row) => sql`${sql.in(row)}`))

  /** `(id, claim_id) IN (VALUES …)`, with `id IN (…)` first so both engines seek the id index. */
  const matchesClaims = (refs: ReadonlyArray<ClaimRef>) =>
    sql`${sql.in("id", refs.map((r) => r.lead_id))} AND (id, claim_id) IN (VALUES ${rowsOf(refs.map((r) => [r.lead_id, r.claim_id]))})`

  const campaignSnapshots = (ids: ReadonlyArray<string>, lock: Statement.Fragment) =>
    Effect.map(
      sql<Pick<TrustedCampaignRow, "id" | "status" | "max_retries" | "retry_interval_minutes">>`
        SELECT id, status, max_retries, retry_interval_minutes FROM campaigns
        WHERE ${sql.in("id", [...new Set(ids)].sort())} ORDER BY id ${lock}`,
      (rows) => new Map(rows.map((r): [string, CampaignSnapshot] => [r.id, { id: r.id, status: r.status, retry_config: retryConfigOf(r) }]))
    )

  const lockLeads = (ids: ReadonlyArray<string>) =>
    Effect.map(
      Effect.forEach(chunksOf([...new Set(ids)].sort()), (chunk) =>
        sql<TrustedLeadRow>`SELECT * FROM leads WHERE ${sql.in("id", chunk)} ORDER BY id ${locks.forUpdate}`),
      (chunks) => new Map(chunks.flat().map((r): [string, TrustedLeadRow] => [r.id, r]))
    )

  const startDials = Effect.fn("leadq/LeadQueue.startDials")(function*(claims: ReadonlyArray<Claim>, leaseMs: number) {
    if (claims.length === 0) return []
    const now = yield* Clock.currentTimeMillis
    const { answers, released, suppressedCampaigns } = yield* sql.withTransaction(
      Effect.gen(function*() {
        // Campaigns first (shared: a pause or cancel waits for us, or we see it), then the leads.
        const campaigns = yield* campaignSnapshots(claims.map((c) => c.campaign_id), locks.forShare)
        const rows = yield* lockLeads(claims.map((c) => c.lead_id))
        // The batch's numbers on their organizations' suppression lists: one indexed lookup for the
        // batch (on PostgreSQL after taking the numbers' locks shared, see `lockNumbers`). A
        // suppression answered before this point is seen here, so a suppressed number is never
        // dialled (docs/design.md §3); one after it waits for this commit and meets a dialled lead.
        const leadRows = [...rows.values()]
        yield* lockNumbers(sql, leadRows.map((r) => suppressionKey(r.organization_id, r.phone_number)), "shared")
        const suppressions = yield* activeSuppressions(
          sql,
          leadRows.map((r) => r.organization_id),
          leadRows.map((r) => r.phone_number),
          now
        )
        const suppressedDials: Array<{ readonly claim: Claim; readonly row: TrustedLeadRow; readonly by: ActiveSuppression; readonly attempt: number }> = []
        // Each lead as this batch leaves it, so a lead named twice is answered as a second call would be.
        const current = new Map<string, LeadSnapshot>()
        const answers: Array<Either.Either<Dial, DialCancelled | StaleClaim>> = []
        const released: Array<ClaimRef> = []
        const started: Array<{ readonly dial: Dial; readonly row: TrustedLeadRow }> = []
        for (const claim of claims) {
          const row = rows.get(claim.lead_id)
          if (row === undefined) return yield* vanished("lead", claim.lead_id)
          const campaign = campaigns.get(claim.campaign_id)
          if (campaign === undefined) return yield* vanished("campaign", claim.campaign_id)
          const lead = current.get(claim.lead_id) ?? toSnapshot(row)
          const decision = LeadLifecycle.startDial(lead, campaign, claim.claim_id, now, leaseMs)
          if (Either.isLeft(decision)) {
            const refusal = decision.left
            if (refusal._tag === "DialCancelled" && refusal.reason !== "lead_removed") {
              // Paused, cancelled or completed since the claim: the lead goes back, in its slot.
              released.push(claim)
              current.set(lead.id, Either.getOrElse(LeadLifecycle.release(lead, claim.claim_id), () => lead))
            }
            answers.push(Either.left(refusal))
            continue
          }
          const by = suppressions.get(suppressionKey(row.organization_id, row.phone_number))
          if (by !== undefined) {
            // The number is suppressed: the lead is removed from where it stands (claimed), no log, no call.
            const removal = LeadLifecycle.remove(lead, campaign)
            if (Either.isLeft(removal)) return yield* Effect.dieMessage(`lead ${lead.id} could not be removed for its suppressed number`)
            current.set(lead.id, removal.right.lead)
            suppressedDials.push({ claim, row, by, attempt: lead.attempts })
            answers.push(Either.left(DialCancelledError.of(lead.id, "number_suppressed")))
            continue
          }
          const next = decision.right
          current.set(lead.id, next)
          const dial: Dial = {
            ...claim,
            phone_number: row.phone_number,
            name: row.name,
            notes: JSON.parse(row.notes),
            attempt: next.attempts,
            lease_expires_at: new Date(next.lease_expires_at!),
            call_log_id: unsafeMakeId.callLog(),
            call_id: unsafeMakeId.call()
          }
          started.push({ dial, row })
          answers.push(Either.right(dial))
        }
        const events: Array<PendingEvent> = []
        for (const chunk of chunksOf(released)) {
          yield* sql`UPDATE leads SET state = 'pending', claim_id = NULL, worker_id = NULL, dialled = 0,
              lease_expires_at = NULL, updated_at = ${now}
            WHERE ${matchesClaims(chunk)} AND dialled = 0`
        }
        for (const chunk of chunksOf(started)) {
          const changed = yield* sql<{ id: string }>`
            WITH v(v_id, v_claim, v_attempts, v_log, v_lease) AS (VALUES ${
            rowsOf(chunk.map(({ dial }) => [dial.lead_id, dial.claim_id, dial.attempt, dial.call_log_id, dial.lease_expires_at.getTime()]))
          })
            UPDATE leads SET dialled = 1, attempts = CAST(v_attempts AS INTEGER), call_log_id = v_log,
              lease_expires_at = CAST(v_lease AS BIGINT), updated_at = ${now}
            FROM v WHERE leads.id = v_id AND leads.claim_id = v_claim AND leads.state = 'calling' AND leads.dialled = 0
            RETURNING leads.id`
          if (changed.length !== chunk.length) return yield* Effect.dieMessage("a lead changed under its lock while its dial started")
          // The call logs are written before the carrier is asked anything (invariant 3).
          const logs = chunk.map(({ dial, row }) => initiatedCallLogRow(dial, row.phone_number, now))
          yield* sql`INSERT INTO call_logs ${sql.insert(logs)}`
          for (const log of logs) events.push({ organization_id: log.organization_id, type: "call.started", data: callLogPayload(log) })
        }
        for (const chunk of chunksOf(suppressedDials)) {
          const changed = yield* sql<{ id: string }>`UPDATE leads SET state = 'removed', removed_from = 'claimed', removed_at = ${now},
              claim_id = NULL, worker_id = NULL, dialled = 0, lease_expires_at = NULL, updated_at = ${now}
            WHERE ${matchesClaims(chunk.map(({ claim }) => claim))} AND state = 'calling' AND dialled = 0
            RETURNING id`
          if (changed.length !== chunk.length) return yield* Effect.dieMessage("a lead changed under its lock while its dial was refused")
          // The audit record of the removal: the key that suppressed the number answers for it.
          yield* sql`INSERT INTO lead_removals ${
            sql.insert(chunk.map(({ attempt, by, row }) => ({
              id: unsafeMakeId.removal(),
              organization_id: row.organization_id,
              lead_id: row.id,
              campaign_id: row.campaign_id,
              api_key_id: by.api_key_id,
              removed_from: "claimed",
              attempt,
              reason: SUPPRESSED_REASON,
              removed_at: now
            })))
          }`
          const removedAt = new Date(now).toISOString()
          for (const { by, row } of chunk) {
            events.push({
              organization_id: row.organization_id,
              type: "lead.removed",
              data: {
                lead_id: row.id,
                campaign_id: row.campaign_id,
                phone_number: row.phone_number,
                removed_from: "claimed",
                call_in_progress: false,
                reason: SUPPRESSED_REASON,
                api_key_id: by.api_key_id,
                removed_at: removedAt
              }
            })
          }
        }
        // The outbox, last and in one statement: a `call.started` per dial, a `lead.removed` per
        // lead the re-check removed (docs/design.md §3).
        yield* appendEvents(sql, events, now)
        return { answers, released: released.length, suppressedCampaigns: suppressedDials.map(({ row }) => row.campaign_id) }
      })
    )
    // A removal may have drained its campaign (docs/design.md §4), and it freed a slot.
    if (suppressedCampaigns.length > 0) yield* completeDrained(sql, suppressedCampaigns, now)
    if (released > 0 || suppressedCampaigns.length > 0) yield* wakeups.notify
    return answers
  }, orDieOnSql)

  const finishCalls = Effect.fn("leadq/LeadQueue.finishCalls")(function*(calls: ReadonlyArray<EndedCall>) {
    if (calls.length === 0) return []
    const now = yield* Clock.currentTimeMillis
    const answers = yield* sql.withTransaction(
      Effect.gen(function*() {
        const campaigns = yield* campaignSnapshots(calls.map((c) => c.dial.campaign_id), sql.literal(""))
        const rows = yield* lockLeads(calls.map((c) => c.dial.lead_id))
        const current = new Map<string, LeadSnapshot>()
        const answers: Array<Either.Either<FinishResult, StaleClaim>> = []
        const finished: Array<{ readonly call: EndedCall; readonly lead: LeadSnapshot }> = []
        const events: Array<PendingEvent> = []
        for (const call of calls) {
          const { dial, outcome } = call
          const row = rows.get(dial.lead_id)
          if (row === undefined) return yield* vanished("lead", dial.lead_id)
          const campaign = campaigns.get(dial.campaign_id)
          if (campaign === undefined) return yield* vanished("campaign", dial.campaign_id)
          const lead = current.get(dial.lead_id) ?? toSnapshot(row)
          const decision = LeadLifecycle.finishCall(lead, campaign, dial.claim_id, outcome)
          if (Either.isLeft(decision) || row.call_log_id !== dial.call_log_id) {
            answers.push(Either.left(StaleClaim.of(dial.lead_id, dial.claim_id)))
            continue
          }
          current.set(lead.id, decision.right.lead)
          finished.push({ call, lead: decision.right.lead })
          answers.push(Either.right({ retry: decision.right.retry, removed: lead.state === "removed", campaign_status: campaign.status }))
        }
        for (const chunk of chunksOf(finished)) {
          const logs = yield* sql<CallLogEventRow & { readonly organization_id: string }>`
            WITH v(v_id, v_status, v_reason, v_duration, v_started, v_ended) AS (VALUES ${
            rowsOf(chunk.map(({ call: { dial, outcome } }) => [
              dial.call_log_id,
              outcome.status,
              outcome.end_reason,
              outcome.duration_seconds,
              outcome.connected_at?.getTime() ?? null,
              outcome.ended_at.getTime()
            ]))
          })
            UPDATE call_logs SET status = v_status, end_reason = v_reason, duration_seconds = CAST(v_duration AS DOUBLE PRECISION),
              started_at = COALESCE(call_logs.started_at, CAST(v_started AS BIGINT)), ended_at = CAST(v_ended AS BIGINT),
              updated_at = ${now}
            FROM v WHERE call_logs.id = v_id AND call_logs.status IN ('initiated', 'in_progress')
            RETURNING ${returningCallLog}`
          if (logs.length !== chunk.length) return yield* Effect.dieMessage("a call log of this batch was already final")
          // Each call log as it now stands, for its `call.ended` (RETURNING order is not the batch's: order by the batch).
          const byId = new Map(logs.map((l) => [l.id, l]))
          for (const { call } of chunk) {
            const log = byId.get(call.dial.call_log_id)!
            events.push({ organization_id: log.organization_id, type: "call.ended", data: callLogPayload(log) })
          }
          yield* sql`
            WITH v(v_id, v_claim, v_state, v_outcome, v_scheduled) AS (VALUES ${
            rowsOf(chunk.map(({ call: { dial }, lead }) => [dial.lead_id, dial.claim_id, lead.state, lead.outcome, lead.scheduled_at]))
          })
            UPDATE leads SET state = v_state, outcome = v_outcome, scheduled_at = CAST(v_scheduled AS BIGINT),
              claim_id = NULL, worker_id = NULL, dialled = 0, lease_expires_at = NULL, updated_at = ${now}
            FROM v WHERE leads.id = v_id AND leads.claim_id = v_claim`
        }
        // The outbox, last and in one statement: a `call.ended` per call finished (docs/design.md §3).
        yield* appendEvents(sql, events, now)
        return answers
      })
    )
    // Completion is looked at once per campaign, after the commit.
    const maybeDrained = new Set<string>()
    for (const [i, answer] of answers.entries()) {
      if (Either.isRight(answer) && !answer.right.retry) maybeDrained.add(calls[i]!.dial.campaign_id)
    }
    const completed = yield* completeDrained(sql, maybeDrained, now)
    if (completed.size === 0) return answers
    const completedStatus: CampaignStatus = "completed"
    return answers.map((answer, i) =>
      completed.has(calls[i]!.dial.campaign_id) ? Either.map(answer, (r) => ({ ...r, campaign_status: completedStatus })) : answer
    )
  }, orDieOnSql)

  const renewLeases = Effect.fn("leadq/LeadQueue.renewLeases")(function*(refs: ReadonlyArray<ClaimRef>, leaseMs: number) {
    if (refs.length === 0) return []
    const now = yield* Clock.currentTimeMillis
    const renewed = new Set<string>()
    for (const chunk of chunksOf(refs)) {
      const rows = yield* sql<{ id: string; claim_id: string }>`UPDATE leads SET lease_expires_at = ${now + leaseMs}
        WHERE ${matchesClaims(chunk)} AND state IN ('calling', 'removed') RETURNING id, claim_id`
      for (const r of rows) renewed.add(`${r.id} ${r.claim_id}`)
    }
    return refs.filter((r) => !renewed.has(`${r.lead_id} ${r.claim_id}`))
  }, orDieOnSql)

  return { startDials, finishCalls, renewLeases }
}
