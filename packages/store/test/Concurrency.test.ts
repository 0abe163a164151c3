import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import type { CallLogId, CampaignId, Dial, LeadId, RemovedFrom } from "@leadq/domain"
import { CallOutcome, CampaignRepository, LeadQueue, LeadRepository, RetryConfig } from "@leadq/domain"
import { Effect, Either, Fiber, Option, Random } from "effect"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, storeLayer } from "./fixtures.js"

/**
 * Many fibers (on PostgreSQL: many connections) race claims, dials, call ends, lease expiries and
 * recoveries against removals, pauses and cancels. The fibers keep a ledger of what they dialled,
 * standing in for the carrier; afterwards the invariants of docs/design.md §3 are checked on the
 * ledger and the final rows.
 */
const engines = await testEngines()
const LEASE = 300
const CAMPAIGNS = 4
const LEADS = 40
const MAX_CONCURRENT = 3

interface DialEvent {
  readonly lead_id: LeadId
  readonly campaign_id: CampaignId
  readonly attempt: number
  readonly call_log_id: CallLogId
  readonly invoked: number
  readonly started: number
  ended: number | null
}
interface RemovalEvent {
  readonly lead_id: LeadId
  readonly removed_from: RemovedFrom
  readonly acked: number
}

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000, excludeTestServices: true })(`concurrency on ${engine}`, (it) => {
    it.effect("claims race removals, pauses, cancels and lease expiry: no invariant breaks", () =>
      Effect.gen(function*() {
        const seed = Date.now()
        yield* Effect.annotateLogs(Effect.logInfo("race seed"), "seed", String(seed))
        const { keyId, org } = yield* newOrg
        const campaigns = yield* CampaignRepository
        const leads = yield* LeadRepository
        const queue = yield* LeadQueue
        const sql = yield* SqlClient.SqlClient
        const ids: Array<CampaignId> = []
        const leadIds: Array<LeadId> = []
        for (let c = 0; c < CAMPAIGNS; c++) {
          const campaign = yield* campaigns.create(org, campaignDraft({
            max_concurrent_calls: MAX_CONCURRENT,
            retry_config: new RetryConfig({ max_retries: 2, retry_interval_minutes: 1 })
          }))
          ids.push(campaign.id)
          yield* leads.addMany(org, campaign.id, Array.from({ length: LEADS }, (_, i) => leadDraft(c * LEADS + i)))
          const page = yield* leads.list(org, { campaign_id: campaign.id, page: 1, limit: 100 })
          leadIds.push(...page.data.map((l) => l.id))
        }

        const ledger: Array<DialEvent> = []
        const removals: Array<RemovalEvent> = []
        const stops: Array<{ campaign_id: CampaignId; acked: number; resumed: number | null }> = []
        const open = new Map<string, number>()
        let maxOpen = 0
        let done = false

        const callOf = (dial: Dial, invoked: number) => {
          const event: DialEvent = {
            lead_id: dial.lead_id,
            campaign_id: dial.campaign_id,
            attempt: dial.attempt,
            call_log_id: dial.call_log_id,
            invoked,
            started: performance.now(),
            ended: null
          }
          ledger.push(event)
          const n = (open.get(dial.campaign_id) ?? 0) + 1
          open.set(dial.campaign_id, n)
          maxOpen = Math.max(maxOpen, n)
          return event
        }
        const hangUp = (event: DialEvent) => {
          event.ended = performance.now()
          open.set(event.campaign_id, (open.get(event.campaign_id) ?? 1) - 1)
        }
        const outcomeFor = (i: number) =>
          new CallOutcome({
            status: (["completed", "no_answer", "busy", "failed"] as const)[i % 4]!,
            end_reason: "user_disconnected",
            connected_at: null,
            ended_at: new Date(),
            duration_seconds: 0
          })

        const worker = (w: number) =>
          Effect.gen(function*() {
            while (!done) {
              const claims = yield* queue.claimDue({ worker_id: `w${w}`, limit: 4, lease_ms: LEASE })
              if (claims.length === 0) {
                yield* Effect.sleep("5 millis")
                continue
              }
              yield* Effect.forEach(claims, (claim) =>
                Effect.gen(function*() {
                  const invoked = performance.now()
                  const dial = yield* Effect.either(queue.startDial(claim, LEASE))
                  if (Either.isLeft(dial)) return
                  const event = callOf(dial.right, invoked)
                  yield* Effect.sleep(`${yield* Random.nextIntBetween(0, 8)} millis`)
                  // Now and then a worker "dies" mid-call: it never reports, the lease runs out.
                  if ((yield* Random.nextIntBetween(0, 12)) === 0) return
                  const finished = yield* Effect.either(queue.finishCall(dial.right, outcomeFor(event.attempt + ledger.length)))
                  if (Either.isRight(finished)) hangUp(event)
                }), { concurrency: "unbounded", discard: true })
            }
          })

        const sweeper = Effect.gen(function*() {
          while (!done) {
            for (const expired of yield* queue.expiredClaims(20)) {
              const taken = yield* Effect.either(queue.recover(expired, "sweeper", LEASE))
              if (Either.isRight(taken) && Option.isSome(taken.right)) {
                const dial = taken.right.value
                const event = ledger.find((e) => e.call_log_id === dial.call_log_id)
                yield* queue.finishCall(dial, new CallOutcome({
                  status: "failed",
                  end_reason: "worker_lost",
                  connected_at: null,
                  ended_at: new Date(),
                  duration_seconds: 0
                }))
                if (event && event.ended === null) hangUp(event)
              }
            }
            yield* Effect.sleep("20 millis")
          }
        })

        const remover = Effect.gen(function*() {
          for (let i = 0; i < 60 && !done; i++) {
            const lead = leadIds[yield* Random.nextIntBetween(0, leadIds.length)]!
            const r = yield* Effect.either(leads.remove(org, lead, { api_key_id: keyId, reason: "race" }))
            if (Either.isRight(r)) removals.push({ lead_id: lead, removed_from: r.right.removed_from, acked: performance.now() })
            yield* Effect.sleep(`${yield* Random.nextIntBetween(1, 15)} millis`)
          }
        })

        const operator = Effect.gen(function*() {
          yield* Effect.sleep("40 millis")
          yield* campaigns.update(org, ids[0]!, { status: "paused" })
          stops.push({ campaign_id: ids[0]!, acked: performance.now(), resumed: null })
          yield* Effect.sleep("60 millis")
          const resumedAt = performance.now()
          yield* campaigns.update(org, ids[0]!, { status: "running" })
          stops[0] = { ...stops[0]!, resumed: resumedAt }
          yield* Effect.sleep("30 millis")
          yield* campaigns.cancel(org, ids[1]!)
          stops.push({ campaign_id: ids[1]!, acked: performance.now(), resumed: null })
        })

        const fibers = yield* Effect.all(
          [...[1, 2, 3, 4].map(worker), sweeper].map((f) => Effect.fork(f))
        )
        yield* Effect.all([remover, remover, operator], { concurrency: "unbounded" })
        // Let the queue drain: every campaign completed or cancelled with nothing in flight.
        yield* Effect.gen(function*() {
          for (;;) {
            const [row] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM leads
              WHERE organization_id = ${org} AND (claim_id IS NOT NULL OR (state = 'pending' AND campaign_id <> ${ids[1]!}
                AND scheduled_at <= ${Date.now()}))`
            if (Number(row!.n) === 0) return
            yield* Effect.sleep("20 millis")
          }
        }).pipe(Effect.timeout("60 seconds"))
        done = true
        yield* Fiber.joinAll(fibers)

        // 1: no dial after an acknowledged removal of a lead that had not been dialled.
        for (const r of removals.filter((r) => r.removed_from === "pending" || r.removed_from === "claimed")) {
          const later = ledger.filter((d) => d.lead_id === r.lead_id && d.invoked > r.acked)
          expect(later, `lead ${r.lead_id} dialled after its removal (seed ${seed})`).toEqual([])
        }
        const [audits] = [yield* sql<{ lead_id: string; removed_from: string; attempt: number }>`
          SELECT lead_id, removed_from, attempt FROM lead_removals WHERE organization_id = ${org}`]
        for (const a of audits.filter((a) => a.removed_from === "pending" || a.removed_from === "claimed")) {
          const beyond = ledger.filter((d) => d.lead_id === a.lead_id && d.attempt > Number(a.attempt))
          expect(beyond, `lead ${a.lead_id} dialled past the attempt it was removed at`).toEqual([])
        }
        // 2: each (lead, attempt) dialled once; a lead's calls never overlap; at most 1 + max_retries.
        const keys = ledger.map((d) => `${d.lead_id}#${d.attempt}`)
        expect(new Set(keys).size).toBe(keys.length)
        for (const id of leadIds) {
          const calls = ledger.filter((d) => d.lead_id === id).sort((a, b) => a.started - b.started)
          expect(calls.length).toBeLessThanOrEqual(3)
          for (let i = 1; i < calls.length; i++) expect(calls[i]!.started).toBeGreaterThanOrEqual(calls[i - 1]!.ended ?? Infinity)
        }
        // 3: every dial has exactly its log, none left open.
        const logs = yield* sql<{ id: string; lead_id: string; attempt: number; status: string }>`
          SELECT id, lead_id, attempt, status FROM call_logs WHERE organization_id = ${org}`
        expect(logs.length).toBe(ledger.length)
        for (const d of ledger) {
          const log = logs.find((l) => l.id === d.call_log_id)
          expect(log).toMatchObject({ lead_id: d.lead_id })
          expect(Number(log!.attempt)).toBe(d.attempt)
        }
        expect(logs.filter((l) => l.status === "initiated" || l.status === "in_progress")).toEqual([])
        // 8: pacing, and no dial invoked after a pause (until resumed) or a cancel was acknowledged.
        expect(maxOpen).toBeLessThanOrEqual(MAX_CONCURRENT)
        // A dial asked for during a pause may legitimately go ahead if the resume overtook it (it
        // waited for the campaign row and then saw the campaign running): only a dial that both
        // started after the pause was acknowledged and returned before the resume began is wrong.
        for (const s of stops) {
          const after = ledger.filter((d) =>
            d.campaign_id === s.campaign_id && d.invoked > s.acked && (s.resumed === null || d.started < s.resumed)
          )
          expect(after).toEqual([])
        }
        // Counters equal rows.
        for (const id of ids) {
          const c = yield* campaigns.get(org, id)
          const [row] = yield* sql<{ total: number; removed: number; pending: number }>`SELECT count(*) AS total,
            count(CASE WHEN state = 'removed' THEN 1 END) AS removed, count(CASE WHEN state = 'pending' THEN 1 END) AS pending
            FROM leads WHERE campaign_id = ${id}`
          expect([c.total_leads, c.removed_leads, c.pending_leads]).toEqual([Number(row!.total), Number(row!.removed), Number(row!.pending)])
          expect(c.total_leads).toBe(c.pending_leads + c.in_progress_leads + c.completed_leads + c.failed_leads + c.removed_leads)
        }
        expect(ledger.length).toBeGreaterThan(CAMPAIGNS * 5)
        expect(removals.length).toBeGreaterThan(10)
      }))
  })
}
