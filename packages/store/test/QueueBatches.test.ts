import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import type { CampaignLead, Claim, Dial, EndedCall } from "@leadq/domain"
import { CampaignRepository, LeadQueue, LeadRepository, RetryConfig, SuppressionRepository } from "@leadq/domain"
import { Deferred, Effect, Either, Fiber, Option, TestClock } from "effect"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, outcome, storeLayer } from "./fixtures.js"

/**
 * The worker's batch methods (`startDials`, `finishCalls`, `renewLeases`): one transaction per
 * batch, and every lead answered exactly as it would be answered alone. Each scenario is staged
 * twice, on two identical organizations: one goes through the batch method, the other through
 * the single-lead method (a batch of one, in its own transaction) called for each lead in the
 * same order; the answers and the rows left behind must be the same — so what a batch carries
 * from one lead to the next inside its transaction (a lead named twice, the chunked statements)
 * changes nothing — and both must be the expected answers and rows, spelled out.
 */
const engines = await testEngines()
const LEASE = 30_000
const START = Date.parse("2026-06-01T12:00:00Z")

type Answer = Either.Either<unknown, { readonly _tag: string; readonly reason?: string }>

/** An answer with its ids left out (the twins have different ones). */
const shape = (answer: Answer) =>
  Either.match(answer, {
    onLeft: (e) => [e._tag, e.reason ?? null],
    onRight: (r) => {
      const value = r as Partial<Dial> & { retry?: boolean; removed?: boolean }
      return value.call_log_id !== undefined ? ["Dial", value.attempt] : ["Finished", value.retry, value.removed]
    }
  })

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`the queue's batch methods on ${engine}`, (it) => {
    /** Nothing else in the queue: earlier tests' campaigns are retired, and the clock is at START. */
    const freshQueue = Effect.gen(function*() {
      yield* TestClock.setTime(START)
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE campaigns SET status = 'cancelled' WHERE status IN ('running', 'paused')`
      yield* sql`UPDATE leads SET claim_id = NULL, lease_expires_at = NULL WHERE claim_id IS NOT NULL`
    })

    /** One organization with campaign A (`a` leads) and campaign B (`b` leads). */
    const twin = (a: number, b: number, overrides: Parameters<typeof campaignDraft>[0] = {}) =>
      Effect.gen(function*() {
        const { keyId, org } = yield* newOrg
        const campaigns = yield* CampaignRepository
        const leads = yield* LeadRepository
        const campaignA = yield* campaigns.create(org, campaignDraft({ max_concurrent_calls: 10, ...overrides }))
        const campaignB = yield* campaigns.create(org, campaignDraft({ max_concurrent_calls: 10, ...overrides }))
        const leadsA: Array<CampaignLead> = []
        const leadsB: Array<CampaignLead> = []
        for (let i = 0; i < a; i++) leadsA.push(yield* leads.add(org, campaignA.id, leadDraft(i)))
        for (let i = 0; i < b; i++) leadsB.push(yield* leads.add(org, campaignB.id, leadDraft(50 + i)))
        return { org, keyId, campaignA, campaignB, leadsA, leadsB }
      })
    type Twin = Effect.Effect.Success<ReturnType<typeof twin>>

    const claimAll = Effect.flatMap(LeadQueue, (q) => q.claimDue({ worker_id: "w1", limit: 100, lease_ms: LEASE }))
    const claimOf = (claims: ReadonlyArray<Claim>, lead: CampaignLead) => claims.find((c) => c.lead_id === lead.id)!

    /** What a lead's row and call logs look like, ids left out. */
    const rowsOf = (leadIds: ReadonlyArray<string>) =>
      Effect.forEach(leadIds, (id) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [lead] = yield* sql`
            SELECT state, outcome, attempts, scheduled_at, dialled, lease_expires_at,
                   CASE WHEN claim_id IS NULL THEN 0 ELSE 1 END AS held,
                   CASE WHEN call_log_id IS NULL THEN 0 ELSE 1 END AS logged
            FROM leads WHERE id = ${id}`
          const logs = yield* sql`
            SELECT attempt, status, end_reason, duration_seconds, started_at, ended_at, created_at
            FROM call_logs WHERE lead_id = ${id} ORDER BY attempt`
          return { lead, logs }
        }))

    /**
     * Campaign A's leads: 0 and 3 and 4 good, 1 removed after its claim, 2 taken over by recovery
     * (so its claim is stale); campaign B paused after the claim. Claims in a mixed order, lead 0
     * twice.
     */
    const stageDials = (t: Twin, claims: ReadonlyArray<Claim>) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* LeadQueue
        yield* Effect.flatMap(LeadRepository, (l) => l.remove(t.org, t.leadsA[1]!.id, { api_key_id: t.keyId }))
        yield* sql`UPDATE leads SET lease_expires_at = ${START - 1} WHERE id = ${t.leadsA[2]!.id}`
        const [expired] = (yield* queue.expiredClaims(100)).filter((e) => e.lead_id === t.leadsA[2]!.id)
        expect(yield* queue.recover(expired!, "w2", LEASE)).toEqual(Option.none())
        yield* Effect.flatMap(CampaignRepository, (c) => c.update(t.org, t.campaignB.id, { status: "paused" }))
        const [a0, a1, a2, a3, a4] = t.leadsA.map((l) => claimOf(claims, l))
        const [b0, b1] = t.leadsB.map((l) => claimOf(claims, l))
        return [a3!, b0!, a1!, a0!, a2!, b1!, a0!, a4!]
      })

    const expectedDialShapes = [
      ["Dial", 1],
      ["DialCancelled", "campaign_paused"],
      ["DialCancelled", "lead_removed"],
      ["Dial", 1],
      ["StaleClaim", null],
      ["DialCancelled", "campaign_paused"],
      ["StaleClaim", null],
      ["Dial", 1]
    ]

    const leadIdsOf = (t: Twin) => [...t.leadsA, ...t.leadsB].map((l) => l.id)

    /** Each lead's state, whether it is dialled and held, and its call logs' statuses: the rows spelled out. */
    const statesOf = (rows: Effect.Effect.Success<ReturnType<typeof rowsOf>>) =>
      rows.map(({ lead, logs }) => {
        const l = lead as { state: string; dialled: unknown; held: unknown; attempts: unknown }
        return [l.state, Number(l.attempts), Number(l.dialled), Number(l.held), logs.map((log) => (log as { status: string }).status)]
      })

    it.effect("startDials: a mixed batch answered claim by claim as startDial answers each, in one transaction", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const sql = yield* SqlClient.SqlClient
        const batched = yield* twin(5, 2)
        const single = yield* twin(5, 2)
        const claims = yield* claimAll
        expect(claims).toHaveLength(14)
        const batch = yield* stageDials(batched, claims)
        const one = yield* stageDials(single, claims)
        const stale = batched.leadsA[2]!.id
        const [staleBefore] = yield* sql`SELECT * FROM leads WHERE id = ${stale}`

        const answers = yield* queue.startDials(batch, LEASE)
        const singles: Array<Answer> = []
        for (const claim of one) singles.push(yield* Effect.either(queue.startDial(claim, LEASE)))

        expect(answers.map(shape)).toEqual(expectedDialShapes)
        expect(singles.map(shape)).toEqual(expectedDialShapes)
        // The same rows behind, lead by lead, and the ones expected: A0, A3, A4 dialled (held, logged);
        // A1 removed (its claim voided); A2 back in the queue; B's leads given back by the pause.
        const rowsBehind = yield* rowsOf(leadIdsOf(batched))
        expect(rowsBehind).toEqual(yield* rowsOf(leadIdsOf(single)))
        const dialled = ["calling", 1, 1, 1, ["initiated"]]
        const back = ["pending", 0, 0, 0, []]
        expect(statesOf(rowsBehind)).toEqual([dialled, ["removed", 0, 0, 0, []], back, dialled, dialled, back, back])

        // Every started dial's log is there (committed) when startDials returns: `initiated`, this attempt.
        const dials = answers.flatMap((a) => (Either.isRight(a) ? [a.right] : []))
        expect(dials.map((d) => d.lead_id)).toEqual([batched.leadsA[3]!.id, batched.leadsA[0]!.id, batched.leadsA[4]!.id])
        for (const dial of dials) {
          const logs = yield* sql<{ id: string; call_id: string; claim_id: string; status: string; attempt: number; created_at: number }>`
            SELECT id, call_id, claim_id, status, attempt, created_at FROM call_logs WHERE lead_id = ${dial.lead_id}`
          expect(logs.map((l) => [l.id, l.call_id, l.claim_id, l.status, Number(l.attempt), Number(l.created_at)]))
            .toEqual([[dial.call_log_id, dial.call_id, dial.claim_id, "initiated", 1, START]])
          expect(dial.lease_expires_at.getTime()).toBe(START + LEASE)
          expect(dial.notes).toEqual({})
        }
        // Nothing of the stale claim landed: its row is exactly as before, and it has no log.
        const [staleAfter] = yield* sql`SELECT * FROM leads WHERE id = ${stale}`
        expect(staleAfter).toEqual(staleBefore)
        expect(yield* sql`SELECT id FROM call_logs WHERE lead_id = ${stale}`).toEqual([])
        // The paused campaign's leads went back to their slots; the removed lead stays removed.
        const leads = yield* LeadRepository
        for (const lead of batched.leadsB) {
          const now = yield* leads.get(batched.org, lead.id)
          expect(now.status).toBe("pending")
          expect(now.scheduled_at).toEqual(lead.scheduled_at)
        }
        expect(Either.isLeft(yield* Effect.either(leads.get(batched.org, batched.leadsA[1]!.id)))).toBe(true)
      }))

    it.effect("startDials: a lead whose number is suppressed in its organization is removed (claimed, reason suppressed), not dialled, as startDial does it; other organizations' leads with the number are dialled", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const sql = yield* SqlClient.SqlClient
        const suppressions = yield* SuppressionRepository
        const batched = yield* twin(3, 0)
        const single = yield* twin(3, 0)
        const bystander = yield* twin(3, 0)
        const claims = yield* claimAll
        expect(claims).toHaveLength(9)
        // The same number in every twin (leadDraft(1)); suppressed in two organizations, not in the third.
        for (const t of [batched, single]) {
          yield* suppressions.suppress(t.org, { phone_number: t.leadsA[1]!.phone_number, reason: "opted out", expires_at: null }, t.keyId)
        }
        const inOrder = (t: Twin) => t.leadsA.map((l) => claimOf(claims, l))
        const answers = yield* queue.startDials(inOrder(batched), LEASE)
        const singles: Array<Answer> = []
        for (const claim of inOrder(single)) singles.push(yield* Effect.either(queue.startDial(claim, LEASE)))
        const expected = [["Dial", 1], ["DialCancelled", "number_suppressed"], ["Dial", 1]]
        expect(answers.map(shape)).toEqual(expected)
        expect(singles.map(shape)).toEqual(expected)
        expect((yield* queue.startDials(inOrder(bystander), LEASE)).map(shape)).toEqual([["Dial", 1], ["Dial", 1], ["Dial", 1]])
        const ids = (t: Twin) => t.leadsA.map((l) => l.id)
        const rowsBehind = yield* rowsOf(ids(batched))
        expect(rowsBehind).toEqual(yield* rowsOf(ids(single)))
        const dialled = ["calling", 1, 1, 1, ["initiated"]]
        expect(statesOf(rowsBehind)).toEqual([dialled, ["removed", 0, 0, 0, []], dialled])
        for (const t of [batched, single]) {
          const records = yield* sql<{ removed_from: string; reason: string; api_key_id: string; attempt: number }>`
            SELECT removed_from, reason, api_key_id, attempt FROM lead_removals WHERE lead_id = ${t.leadsA[1]!.id}`
          expect(records.map((r) => ({ ...r, attempt: Number(r.attempt) }))).toEqual([
            { removed_from: "claimed", reason: "suppressed", api_key_id: t.keyId, attempt: 0 }
          ])
        }
      }))

    if (engine === "pg") {
      it.effect("startDials waits for a suppression of its numbers that is being written, then sees it (PostgreSQL: the numbers' locks)", () =>
        Effect.gen(function*() {
          yield* freshQueue
          const queue = yield* LeadQueue
          const sql = yield* SqlClient.SqlClient
          const t = yield* twin(1, 0)
          const [claim] = yield* claimAll
          const lead = t.leadsA[0]!
          const locked = yield* Deferred.make<void>()
          // A suppression of the lead's number, its transaction open (the number's lock taken) when
          // the dial re-check starts, committed a moment later.
          const suppressing = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
            yield* Effect.flatMap(SuppressionRepository, (s) =>
              s.suppressMany(t.org, [{ phone_number: lead.phone_number, reason: null, expires_at: null }], t.keyId))
            yield* Deferred.succeed(locked, undefined)
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
          })))
          yield* Deferred.await(locked)
          const [answer] = yield* queue.startDials([claim!], LEASE)
          yield* Fiber.join(suppressing)
          expect(shape(answer!)).toEqual(["DialCancelled", "number_suppressed"])
          expect(yield* sql`SELECT id FROM call_logs WHERE lead_id = ${lead.id}`).toEqual([])
        }))
    }

    it.effect("startDials: an empty batch does nothing; a batch of one is startDial", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        expect(yield* queue.startDials([], LEASE)).toEqual([])
        const t = yield* twin(1, 0)
        const [claim] = yield* claimAll
        const [answer] = yield* queue.startDials([claim!], LEASE)
        expect(Either.isRight(answer!) && answer.right.attempt).toBe(1)
        const again = yield* queue.startDials([claim!], LEASE)
        expect(again.map(shape)).toEqual([["StaleClaim", null]])
        expect((yield* Effect.flatMap(LeadRepository, (l) => l.get(t.org, t.leadsA[0]!.id))).status).toBe("in_progress")
      }))

    /**
     * Five dialled leads of campaign A (one retry allowed): 0 completed, 1 no answer (a retry),
     * 2 removed during its call, 3 taken over by recovery (stale), 4 busy; lead 0 twice.
     */
    const stageFinishes = (t: Twin, dials: ReadonlyArray<Dial>) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const queue = yield* LeadQueue
        const dialOf = (lead: CampaignLead) => dials.find((d) => d.lead_id === lead.id)!
        yield* TestClock.setTime(START)
        yield* Effect.flatMap(LeadRepository, (l) => l.remove(t.org, t.leadsA[2]!.id, { api_key_id: t.keyId }))
        yield* sql`UPDATE leads SET lease_expires_at = ${START - 1} WHERE id = ${t.leadsA[3]!.id}`
        const [expired] = (yield* queue.expiredClaims(100)).filter((e) => e.lead_id === t.leadsA[3]!.id)
        expect(Option.isSome(yield* queue.recover(expired!, "w2", LEASE))).toBe(true)
        yield* TestClock.setTime(START + 5_000)
        const [a0, a1, a2, a3, a4] = t.leadsA.map(dialOf)
        const items: ReadonlyArray<EndedCall> = [
          { dial: a1!, outcome: yield* outcome("no_answer") },
          { dial: a0!, outcome: yield* outcome("completed", 4) },
          { dial: a3!, outcome: yield* outcome("completed") },
          { dial: a2!, outcome: yield* outcome("no_answer") },
          { dial: a0!, outcome: yield* outcome("failed") },
          { dial: a4!, outcome: yield* outcome("busy") }
        ]
        return items
      })

    const expectedFinishShapes = [
      ["Finished", true, false],
      ["Finished", false, false],
      ["StaleClaim", null],
      ["Finished", false, true],
      ["StaleClaim", null],
      ["Finished", true, false]
    ]

    const dialAll = (claims: ReadonlyArray<Claim>) =>
      Effect.map(Effect.flatMap(LeadQueue, (q) => q.startDials(claims, LEASE)), (answers) => answers.map((a) => Either.getOrThrow(a)))

    it.effect("finishCalls: a mixed batch answered call by call as finishCall answers each; nothing of a stale claim lands", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const sql = yield* SqlClient.SqlClient
        const retry = { retry_config: new RetryConfig({ max_retries: 1, retry_interval_minutes: 10 }) }
        const batched = yield* twin(5, 0, retry)
        const single = yield* twin(5, 0, retry)
        const dials = yield* dialAll(yield* claimAll)
        const batch = yield* stageFinishes(batched, dials)
        const one = yield* stageFinishes(single, dials)
        const stale = batched.leadsA[3]!.id
        const [staleBefore] = yield* sql`SELECT * FROM leads WHERE id = ${stale}`
        const [staleLogBefore] = yield* sql`SELECT * FROM call_logs WHERE lead_id = ${stale}`

        const answers = yield* queue.finishCalls(batch)
        const singles: Array<Answer> = []
        for (const item of one) singles.push(yield* Effect.either(queue.finishCall(item.dial, item.outcome)))

        expect(answers.map(shape)).toEqual(expectedFinishShapes)
        expect(singles.map(shape)).toEqual(expectedFinishShapes)
        for (const a of answers) if (Either.isRight(a)) expect(a.right.campaign_status).toBe("running")
        const rowsBehind = yield* rowsOf(leadIdsOf(batched))
        expect(rowsBehind).toEqual(yield* rowsOf(leadIdsOf(single)))
        // A0 completed (its second finish stale), A1 and A4 back for a retry, A2 removed with its
        // call logged, A3 still held by the recovering worker with its log open.
        expect(statesOf(rowsBehind)).toEqual([
          ["called", 1, 0, 0, ["completed"]],
          ["pending", 1, 0, 0, ["no_answer"]],
          ["removed", 1, 0, 0, ["no_answer"]],
          ["calling", 1, 1, 1, ["initiated"]],
          ["pending", 1, 0, 0, ["busy"]]
        ])

        // The stale claim's lead and log are untouched (the recovering worker settles them).
        expect((yield* sql`SELECT * FROM leads WHERE id = ${stale}`)[0]).toEqual(staleBefore)
        expect((yield* sql`SELECT * FROM call_logs WHERE lead_id = ${stale}`)[0]).toEqual(staleLogBefore)
        // The retry waits its interval after the call's end; the completed call keeps its connect time.
        const leads = yield* LeadRepository
        const retried = yield* leads.get(batched.org, batched.leadsA[1]!.id)
        expect(retried).toMatchObject({ status: "pending", attempts: 1 })
        expect(retried.scheduled_at.getTime()).toBe(START + 5_000 + 10 * 60_000)
        const [log] = yield* sql<{ status: string; started_at: number; ended_at: number; duration_seconds: number }>`
          SELECT status, started_at, ended_at, duration_seconds FROM call_logs WHERE lead_id = ${batched.leadsA[0]!.id}`
        expect([log!.status, Number(log!.started_at), Number(log!.ended_at), Number(log!.duration_seconds)])
          .toEqual(["completed", START + 1_000, START + 5_000, 4])
        expect(yield* leads.get(batched.org, batched.leadsA[4]!.id)).toMatchObject({ status: "pending", attempts: 1 })
      }))

    it.effect("finishCalls: a campaign drained by the batch completes, once, after the commit", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const t = yield* twin(3, 2)
        const dials = yield* dialAll(yield* claimAll)
        const items = yield* Effect.forEach(dials, (dial) => Effect.map(outcome("completed"), (o) => ({ dial, outcome: o })))
        // All of A's calls and one of B's: A drains, B does not.
        const ofB = items.filter((i) => i.dial.campaign_id === t.campaignB.id)
        const answers = yield* queue.finishCalls([...items.filter((i) => i.dial.campaign_id === t.campaignA.id), ofB[0]!])
        expect(answers.map((a) => Either.isRight(a) && a.right.campaign_status)).toEqual(["completed", "completed", "completed", "running"])
        const campaigns = yield* CampaignRepository
        expect(yield* campaigns.get(t.org, t.campaignA.id)).toMatchObject({ status: "completed", completed_leads: 3 })
        expect(yield* campaigns.get(t.org, t.campaignB.id)).toMatchObject({ status: "running", completed_leads: 1, in_progress_leads: 1 })
        const [last] = yield* queue.finishCalls([ofB[1]!])
        expect(Either.isRight(last!) && last.right.campaign_status).toBe("completed")
      }))

    it.effect("renewLeases: every current claim renewed in one statement, the stale ones named and left alone", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const sql = yield* SqlClient.SqlClient
        const t = yield* twin(4, 0)
        const claims = yield* claimAll
        const [a0, a1, a2, a3] = t.leadsA.map((l) => claimOf(claims, l))
        const dial = Either.getOrThrow((yield* queue.startDials([a1!], LEASE))[0]!)
        // a2 is removed before its dial (its claim voided); a3 is taken over by recovery.
        yield* Effect.flatMap(LeadRepository, (l) => l.remove(t.org, a2!.lead_id, { api_key_id: t.keyId }))
        yield* sql`UPDATE leads SET lease_expires_at = ${START - 1} WHERE id = ${a3!.lead_id}`
        const [expired] = (yield* queue.expiredClaims(100)).filter((e) => e.lead_id === a3!.lead_id)
        yield* queue.recover(expired!, "w2", LEASE)
        const [retaken] = yield* queue.claimDue({ worker_id: "w2", limit: 10, lease_ms: LEASE })
        expect(retaken!.lead_id).toBe(a3!.lead_id)
        yield* TestClock.adjust("10 seconds")

        const stale = yield* queue.renewLeases([a0!, dial, a2!, a3!], LEASE)
        expect(stale.map((r) => r.lead_id)).toEqual([a2!.lead_id, a3!.lead_id])
        const leases = yield* sql<{ id: string; lease_expires_at: number | null }>`
          SELECT id, lease_expires_at FROM leads WHERE ${sql.in("id", t.leadsA.map((l) => l.id))}`
        const leaseOf = (id: string) => leases.find((l) => l.id === id)!.lease_expires_at
        expect(Number(leaseOf(a0!.lead_id))).toBe(START + 10_000 + LEASE)
        expect(Number(leaseOf(a1!.lead_id))).toBe(START + 10_000 + LEASE)
        expect(leaseOf(a2!.lead_id)).toBeNull()
        expect(Number(leaseOf(a3!.lead_id))).toBe(START + LEASE)
        // A removed lead still in its call keeps its lease renewed (its call goes on).
        yield* Effect.flatMap(LeadRepository, (l) => l.remove(t.org, a1!.lead_id, { api_key_id: t.keyId }))
        expect(yield* queue.renewLeases([dial], LEASE)).toEqual([])
        expect(yield* queue.renewLeases([], LEASE)).toEqual([])
      }))

    describe("batches larger than one statement", () => {
      it.effect("600 leads started, renewed and finished in one batch each", () =>
        Effect.gen(function*() {
          yield* freshQueue
          const queue = yield* LeadQueue
          const sql = yield* SqlClient.SqlClient
          const { org } = yield* newOrg
          const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft({ max_concurrent_calls: 1000 })))
          yield* Effect.flatMap(LeadRepository, (l) =>
            l.addMany(org, campaign.id, Array.from({ length: 600 }, (_, i) => leadDraft(i))))
          const claims = yield* Effect.flatMap(LeadQueue, (q) => q.claimDue({ worker_id: "w1", limit: 1000, lease_ms: LEASE }))
          expect(claims).toHaveLength(600)
          const dials = (yield* queue.startDials(claims, LEASE)).map((a) => Either.getOrThrow(a))
          expect(dials.map((d) => d.lead_id)).toEqual(claims.map((c) => c.lead_id))
          expect(yield* queue.renewLeases(dials, LEASE)).toEqual([])
          const items = yield* Effect.forEach(dials, (dial) => Effect.map(outcome("completed"), (o) => ({ dial, outcome: o })))
          const answers = yield* queue.finishCalls(items)
          expect(answers.every((a) => Either.isRight(a) && a.right.campaign_status === "completed")).toBe(true)
          const [counts] = yield* sql<{ n: number; done: number }>`
            SELECT count(*) AS n, count(CASE WHEN status = 'completed' THEN 1 END) AS done FROM call_logs WHERE campaign_id = ${campaign.id}`
          expect([Number(counts!.n), Number(counts!.done)]).toEqual([600, 600])
        }))
    })

    it.effect("two workers' batches over the same campaigns run side by side with a pause and removals (no deadlock)", () =>
      Effect.gen(function*() {
        yield* freshQueue
        const queue = yield* LeadQueue
        const t = yield* twin(20, 20, { max_concurrent_calls: 40 })
        const claim = (worker: string, limit: number) => queue.claimDue({ worker_id: worker, limit, lease_ms: LEASE })
        // Each worker holds leads of both campaigns.
        const w1 = [...(yield* claim("w1", 10))]
        const w2 = yield* claim("w2", 20)
        w1.push(...(yield* claim("w1", 10)))
        expect(new Set(w1.map((c) => c.campaign_id)).size).toBe(2)
        expect(new Set(w2.map((c) => c.campaign_id)).size).toBe(2)
        const leads = yield* LeadRepository
        const [r1, r2, , removals] = yield* Effect.all([
          queue.startDials(w1, LEASE),
          queue.startDials(w2, LEASE),
          Effect.flatMap(CampaignRepository, (c) => c.update(t.org, t.campaignB.id, { status: "paused" })),
          Effect.forEach([...t.leadsA.slice(0, 3), ...t.leadsA.slice(10, 13)], (l) => leads.remove(t.org, l.id, { api_key_id: t.keyId }), {
            concurrency: "unbounded"
          })
        ], { concurrency: "unbounded" })
        expect(removals).toHaveLength(6)
        const dials = [...r1, ...r2].flatMap((a) => (Either.isRight(a) ? [a.right] : []))
        const ended = (part: ReadonlyArray<Dial>) => Effect.forEach(part, (dial) => Effect.map(outcome("completed"), (o) => ({ dial, outcome: o })))
        const finished = yield* Effect.all([
          Effect.flatMap(ended(dials.filter((d) => w1.some((c) => c.lead_id === d.lead_id))), queue.finishCalls),
          Effect.flatMap(ended(dials.filter((d) => w2.some((c) => c.lead_id === d.lead_id))), queue.finishCalls)
        ], { concurrency: "unbounded" })
        const results = finished.flat()
        expect(results).toHaveLength(dials.length)
        expect(results.every(Either.isRight)).toBe(true)
        const removedInCall = results.filter((r) => Either.isRight(r) && r.right.removed).length
        const campaigns = yield* CampaignRepository
        const a = yield* campaigns.get(t.org, t.campaignA.id)
        const b = yield* campaigns.get(t.org, t.campaignB.id)
        expect(a.in_progress_leads + b.in_progress_leads).toBe(0)
        expect(a.completed_leads + b.completed_leads + removedInCall).toBe(dials.length)
        expect(a.removed_leads).toBe(6)
        // Every lead of B not dialled before the pause went back to pending.
        expect(b.pending_leads + b.completed_leads).toBe(20)
      }))
  })
}
