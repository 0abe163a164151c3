import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import type { Dial } from "@leadq/domain"
import {
  ApiKeyRepository,
  CallingWindow,
  CallLogRepository,
  CampaignRepository,
  LeadQueue,
  LeadRepository,
  RetryConfig,
  TimeZone
} from "@leadq/domain"
import { Effect, Either, Option, Schema, TestClock } from "effect"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, outcome, storeLayer } from "./fixtures.js"

const engines = await testEngines()
const LEASE = 30_000
const START = Date.parse("2026-06-01T12:00:00Z")

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`store on ${engine}`, (it) => {
    /**
     * A campaign with `n` leads, and the clock at START. The queue is shared by every test of the
     * suite (one database), so earlier tests' campaigns are first retired from it.
     */
    const seeded = (n: number, overrides: Parameters<typeof campaignDraft>[0] = {}) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(START)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE campaigns SET status = 'cancelled' WHERE status IN ('running', 'paused')`
        yield* sql`UPDATE leads SET claim_id = NULL, lease_expires_at = NULL WHERE claim_id IS NOT NULL`
        const { keyId, org } = yield* newOrg
        const campaigns = yield* CampaignRepository
        const leads = yield* LeadRepository
        const campaign = yield* campaigns.create(org, campaignDraft(overrides))
        const added = []
        for (let i = 0; i < n; i++) added.push(yield* leads.add(org, campaign.id, leadDraft(i)))
        return { org, keyId, campaign, leads: added }
      })

    const claimAll = (limit = 100) =>
      Effect.flatMap(LeadQueue, (q) => q.claimDue({ worker_id: "w1", limit, lease_ms: LEASE }))

    describe("campaigns", () => {
      it.effect("create, get with counters, list with a status filter, tenants apart", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(3)
          const campaigns = yield* CampaignRepository
          const got = yield* campaigns.get(org, campaign.id)
          expect(got.status).toBe("running")
          expect(got.total_leads).toBe(3)
          expect(got.pending_leads).toBe(3)
          expect(got.scheduled_at.getTime()).toBe(START)
          const other = yield* newOrg
          const foreign = yield* Effect.either(campaigns.get(other.org, campaign.id))
          expect(Either.isLeft(foreign) && foreign.left._tag).toBe("CampaignNotFound")
          yield* campaigns.update(org, campaign.id, { status: "paused" })
          const paused = yield* campaigns.list(org, { page: 1, limit: 10, status: "paused" })
          expect(paused.data.map((c) => c.id)).toEqual([campaign.id])
          expect(paused.meta).toMatchObject({ page: 1, limit: 10, total: 1, totalPages: 1 })
          const running = yield* campaigns.list(org, { page: 1, limit: 10, status: "running" })
          expect(running.meta.total).toBe(0)
        }))

      it.effect("pause, resume, cancel; a terminal campaign refuses resume, cancel and new leads", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(1)
          const campaigns = yield* CampaignRepository
          expect((yield* campaigns.update(org, campaign.id, { status: "paused" })).status).toBe("paused")
          expect((yield* campaigns.update(org, campaign.id, { status: "running" })).status).toBe("running")
          expect((yield* campaigns.cancel(org, campaign.id)).status).toBe("cancelled")
          const resume = yield* Effect.either(campaigns.update(org, campaign.id, { status: "running" }))
          expect(Either.isLeft(resume) && resume.left._tag).toBe("CampaignTerminal")
          const again = yield* Effect.either(campaigns.cancel(org, campaign.id))
          expect(Either.isLeft(again) && again.left._tag).toBe("CampaignTerminal")
          const add = yield* Effect.either(Effect.flatMap(LeadRepository, (l) => l.add(org, campaign.id, leadDraft(9))))
          expect(Either.isLeft(add) && add.left._tag).toBe("CampaignTerminal")
          expect((yield* campaigns.update(org, campaign.id, { name: "Archived" })).name).toBe("Archived")
        }))

      it.effect("agent_id is fixed once a call was made", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(1)
          const campaigns = yield* CampaignRepository
          expect((yield* campaigns.update(org, campaign.id, { agent_id: "agent_2" })).agent_id).toBe("agent_2")
          const [claim] = yield* claimAll()
          yield* Effect.flatMap(LeadQueue, (q) => q.startDial(claim!, LEASE))
          const r = yield* Effect.either(campaigns.update(org, campaign.id, { agent_id: "agent_3" }))
          expect(Either.isLeft(r) && r.left._tag).toBe("InvalidTransition")
        }))
    })

    describe("leads", () => {
      it.effect("enqueue gives slots in order; list, filters, pagination; another org sees nothing", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(0, { scheduled_at: new Date(START + 3_600_000) })
          const leads = yield* LeadRepository
          const n = yield* leads.addMany(org, campaign.id, [0, 1, 2, 3, 4].map((i) => leadDraft(i, { i })))
          expect(n).toEqual({ created: 5, skipped: [] })
          const page1 = yield* leads.list(org, { campaign_id: campaign.id, page: 1, limit: 2 })
          expect(page1.meta).toMatchObject({ total: 5, totalPages: 3 })
          expect(page1.data.map((l) => l.notes["i"])).toEqual([0, 1])
          // A future campaign start is every lead's slot.
          expect(page1.data[0]!.scheduled_at.getTime()).toBe(START + 3_600_000)
          const byPhone = yield* leads.list(org, { phone_number: "+14155551003", page: 1, limit: 10 })
          expect(byPhone.data.map((l) => l.notes["i"])).toEqual([3])
          const other = yield* newOrg
          expect((yield* leads.list(other.org, { campaign_id: campaign.id, page: 1, limit: 10 })).meta.total).toBe(0)
          const foreign = yield* Effect.either(leads.get(other.org, page1.data[0]!.id))
          expect(Either.isLeft(foreign) && foreign.left._tag).toBe("LeadNotFound")
          const missing = yield* Effect.either(leads.add(org, "cmp_nope", leadDraft(1)))
          expect(Either.isLeft(missing) && missing.left._tag).toBe("CampaignNotFound")
        }))

      it.effect("a pending lead can be corrected; a calling one is locked", () =>
        Effect.gen(function*() {
          const { leads: [a, b], org } = yield* seeded(2, { max_concurrent_calls: 1 })
          const leads = yield* LeadRepository
          const updated = yield* leads.update(org, a!.id, { name: "Ada", notes: { vip: true } })
          expect(updated.name).toBe("Ada")
          expect(updated.notes).toEqual({ vip: true })
          const [claim] = yield* claimAll()
          expect(claim!.lead_id).toBe(a!.id)
          const locked = yield* Effect.either(leads.update(org, a!.id, { name: "X" }))
          expect(Either.isLeft(locked) && locked.left._tag).toBe("LeadLocked")
          expect((yield* leads.update(org, b!.id, { name: "Bob" })).name).toBe("Bob")
        }))
    })

    describe("removal table (docs/design.md §3), at the store", () => {
      it.effect("pending: removed at once, audited, invisible, never claimed; other slots unchanged", () =>
        Effect.gen(function*() {
          const { campaign, keyId, leads: added, org } = yield* seeded(3)
          const leads = yield* LeadRepository
          const before = yield* leads.list(org, { campaign_id: campaign.id, page: 1, limit: 10 })
          const r = yield* leads.remove(org, added[1]!.id, { api_key_id: keyId, reason: "opt-out" })
          expect(r).toMatchObject({ message: "Lead removed from campaign.", removed_from: "pending", call_in_progress: false })
          const gone = yield* Effect.either(leads.get(org, added[1]!.id))
          expect(Either.isLeft(gone) && gone.left._tag).toBe("LeadNotFound")
          const twice = yield* Effect.either(leads.remove(org, added[1]!.id, { api_key_id: keyId }))
          expect(Either.isLeft(twice) && twice.left._tag).toBe("LeadNotFound")
          const audit = Option.getOrThrow(yield* leads.removalOf(org, added[1]!.id))
          expect(audit).toMatchObject({ api_key_id: keyId, removed_from: "pending", attempt: 0, reason: "opt-out" })
          const claims = yield* claimAll()
          expect(claims.map((c) => c.lead_id).sort()).toEqual([added[0]!.id, added[2]!.id].sort())
          const after = yield* leads.list(org, { campaign_id: campaign.id, status: "in_progress", page: 1, limit: 10 })
          for (const l of after.data) {
            expect(l.scheduled_at).toEqual(before.data.find((b) => b.id === l.id)!.scheduled_at)
          }
          const removed = yield* leads.list(org, { campaign_id: campaign.id, status: "removed", page: 1, limit: 10 })
          expect(removed.data.map((l) => l.id)).toEqual([added[1]!.id])
        }))

      it.effect("claimed, not dialled: the dial is cancelled and no log is written", () =>
        Effect.gen(function*() {
          const { keyId, leads: [lead], org } = yield* seeded(1)
          const [claim] = yield* claimAll()
          const r = yield* Effect.flatMap(LeadRepository, (l) => l.remove(org, lead!.id, { api_key_id: keyId }))
          expect(r.removed_from).toBe("claimed")
          const sql = yield* SqlClient.SqlClient
          const [held] = yield* sql<{ claim_id: string | null; worker_id: string | null }>`
            SELECT claim_id, worker_id FROM leads WHERE id = ${lead!.id}`
          expect(held).toEqual({ claim_id: null, worker_id: null })
          const dial = yield* Effect.either(Effect.flatMap(LeadQueue, (q) => q.startDial(claim!, LEASE)))
          expect(Either.isLeft(dial) && dial.left._tag === "DialCancelled" && dial.left.reason).toBe("lead_removed")
          const logs = yield* Effect.flatMap(CallLogRepository, (c) => c.list(org, { lead_id: lead!.id, page: 1, limit: 10 }))
          expect(logs.meta.total).toBe(0)
        }))

      it.effect("dialled: the call goes on, its log is finalized, no retry follows", () =>
        Effect.gen(function*() {
          const { campaign, keyId, leads: [lead], org } = yield* seeded(1)
          const queue = yield* LeadQueue
          const [claim] = yield* claimAll()
          const dial = yield* queue.startDial(claim!, LEASE)
          const r = yield* Effect.flatMap(LeadRepository, (l) => l.remove(org, lead!.id, { api_key_id: keyId }))
          expect(r).toMatchObject({ removed_from: "in_call", call_in_progress: true })
          yield* queue.renewLease(dial, LEASE)
          yield* TestClock.adjust("3 seconds")
          const finished = yield* queue.finishCall(dial, yield* outcome("no_answer"))
          expect(finished).toMatchObject({ retry: false, removed: true })
          const log = yield* Effect.flatMap(CallLogRepository, (c) => c.get(org, dial.call_log_id))
          expect(log.status).toBe("no_answer")
          expect(log.ended_at).not.toBeNull()
          expect((yield* claimAll()).length).toBe(0)
          // The only lead is removed and its call ended: the queue drained.
          expect((yield* Effect.flatMap(CampaignRepository, (c) => c.get(org, campaign.id))).status).toBe("completed")
        }))

      it.effect("called: removed, its call logs stay", () =>
        Effect.gen(function*() {
          const { keyId, leads: [lead, other], org } = yield* seeded(2)
          const queue = yield* LeadQueue
          const claims = yield* claimAll()
          const dial = yield* queue.startDial(claims.find((c) => c.lead_id === lead!.id)!, LEASE)
          yield* queue.finishCall(dial, yield* outcome("completed"))
          const r = yield* Effect.flatMap(LeadRepository, (l) => l.remove(org, lead!.id, { api_key_id: keyId }))
          expect(r.removed_from).toBe("called")
          const log = yield* Effect.flatMap(CallLogRepository, (c) => c.get(org, dial.call_log_id))
          expect(log.status).toBe("completed")
          expect(other).toBeDefined()
        }))

      it.effect("many removals at once (grouped into one commit on SQLite): each answered on its own", () =>
        Effect.gen(function*() {
          const { keyId, leads: added, org } = yield* seeded(30)
          const leads = yield* LeadRepository
          const other = yield* newOrg
          // Every third removal is refused (another organization's key), the rest succeed.
          const results = yield* Effect.all(
            added.map((lead, i) =>
              Effect.either(leads.remove(i % 3 === 0 ? other.org : org, lead.id, { api_key_id: keyId, reason: `r${i}` }))
            ),
            { concurrency: "unbounded" }
          )
          results.forEach((r, i) => {
            if (i % 3 === 0) expect(Either.isLeft(r) && r.left._tag).toBe("LeadNotFound")
            else expect(Either.isRight(r) && r.right.removed_from).toBe("pending")
          })
          for (const [i, lead] of added.entries()) {
            const audit = yield* leads.removalOf(org, lead.id)
            if (i % 3 === 0) expect((yield* leads.get(org, lead.id)).status).toBe("pending")
            else expect(Option.getOrThrow(audit).reason).toBe(`r${i}`)
          }
        }))

      it.effect("removing the last open lead completes the campaign; removing any other does not", () =>
        Effect.gen(function*() {
          const { campaign, keyId, leads: [a, b, c], org } = yield* seeded(3)
          const queue = yield* LeadQueue
          const claims = yield* claimAll()
          const dial = yield* queue.startDial(claims.find((x) => x.lead_id === a!.id)!, LEASE)
          yield* queue.release(claims.find((x) => x.lead_id === b!.id)!)
          yield* queue.finishCall(dial, yield* outcome("completed"))
          const leads = yield* LeadRepository
          const campaigns = yield* CampaignRepository
          yield* leads.remove(org, b!.id, { api_key_id: keyId })
          expect((yield* campaigns.get(org, campaign.id)).status).toBe("running")
          yield* leads.remove(org, c!.id, { api_key_id: keyId })
          expect((yield* campaigns.get(org, campaign.id))).toMatchObject({ status: "completed", completed_leads: 1, removed_leads: 2 })
        }))

      it.effect("bulk removal by ids: each entry as the single removal would answer it, in one transaction", () =>
        Effect.gen(function*() {
          const { campaign, keyId, leads: added, org } = yield* seeded(5)
          const leads = yield* LeadRepository
          const queue = yield* LeadQueue
          // Stage: lead 0 in a call, lead 1 removed already; another organization's lead; a cancelled campaign's lead.
          const claims = yield* claimAll()
          yield* queue.startDial(claims.find((c) => c.lead_id === added[0]!.id)!, LEASE)
          yield* queue.release(claims.find((c) => c.lead_id === added[1]!.id)!)
          yield* leads.remove(org, added[1]!.id, { api_key_id: keyId })
          const other = yield* newOrg
          const foreignCampaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(other.org, campaignDraft()))
          const foreign = yield* leads.add(other.org, foreignCampaign.id, leadDraft(90))
          const closed = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft()))
          const refused = yield* leads.add(org, closed.id, leadDraft(91))
          yield* Effect.flatMap(CampaignRepository, (c) => c.cancel(org, closed.id))
          const before = yield* leads.get(org, added[4]!.id)

          const ids = [added[0]!.id, added[1]!.id, added[2]!.id, added[2]!.id, foreign.id, "lead_nope", refused.id, added[3]!.id]
          const r = yield* leads.removeMany(org, { _tag: "LeadIds", lead_ids: ids }, { api_key_id: keyId, reason: "bulk opt-out" })
          expect(r.results.map((i) => [i.input, i.outcome, i.removed_from, i.call_in_progress])).toEqual([
            [added[0]!.id, "removed", "in_call", true],
            [added[1]!.id, "already_removed", null, false],
            [added[2]!.id, "removed", "pending", false],
            [added[2]!.id, "already_removed", null, false],
            [foreign.id, "not_found", null, false],
            ["lead_nope", "not_found", null, false],
            [refused.id, "refused", null, false],
            [added[3]!.id, "removed", "pending", false]
          ])
          expect([r.removed, r.already_removed, r.not_found, r.refused]).toEqual([3, 2, 2, 1])
          for (const id of [added[0]!.id, added[2]!.id, added[3]!.id]) {
            expect(Option.getOrThrow(yield* leads.removalOf(org, id))).toMatchObject({ api_key_id: keyId, reason: "bulk opt-out" })
          }
          expect((yield* leads.get(other.org, foreign.id)).status).toBe("pending")
          expect((yield* leads.get(org, refused.id)).status).toBe("pending")
          expect(yield* leads.get(org, added[4]!.id)).toEqual(before)
          expect((yield* Effect.flatMap(CampaignRepository, (c) => c.get(org, campaign.id))).removed_leads).toBe(4)
        }))

      it.effect("bulk removal by phone numbers of one campaign; the last open leads complete it", () =>
        Effect.gen(function*() {
          const { campaign, keyId, org } = yield* seeded(0)
          const leads = yield* LeadRepository
          const a = yield* leads.add(org, campaign.id, leadDraft(1))
          // Two live leads with one number exist only from before migration 0006 (a new one is
          // DuplicateLead): the twin is made such a legacy duplicate, as the migration leaves them.
          const made = yield* leads.add(org, campaign.id, leadDraft(3))
          const sql = yield* SqlClient.SqlClient
          yield* sql`UPDATE leads SET phone_number = ${a.phone_number}, duplicate_slot = seq WHERE id = ${made.id}`
          const twin = yield* leads.get(org, made.id)
          const b = yield* leads.add(org, campaign.id, leadDraft(2))
          const r = yield* leads.removeMany(
            org,
            { _tag: "PhoneNumbers", campaign_id: campaign.id, phone_numbers: [a.phone_number, "+19999999999", b.phone_number] },
            { api_key_id: keyId }
          )
          expect(r.results.map((i) => [i.input, i.lead_id, i.outcome])).toEqual([
            [a.phone_number, a.id, "removed"],
            [a.phone_number, twin.id, "removed"],
            ["+19999999999", null, "not_found"],
            [b.phone_number, b.id, "removed"]
          ])
          // Every lead removed, none dialled: the queue drained.
          expect((yield* Effect.flatMap(CampaignRepository, (c) => c.get(org, campaign.id))).status).toBe("completed")
          const other = yield* newOrg
          const foreign = yield* Effect.either(
            leads.removeMany(other.org, { _tag: "PhoneNumbers", campaign_id: campaign.id, phone_numbers: [a.phone_number] }, {
              api_key_id: other.keyId
            })
          )
          expect(Either.isLeft(foreign) && foreign.left._tag).toBe("CampaignNotFound")
        }))

      it.effect("terminal campaign: 409, nothing changes", () =>
        Effect.gen(function*() {
          const { campaign, keyId, leads: [lead], org } = yield* seeded(1)
          yield* Effect.flatMap(CampaignRepository, (c) => c.cancel(org, campaign.id))
          const leads = yield* LeadRepository
          const r = yield* Effect.either(leads.remove(org, lead!.id, { api_key_id: keyId }))
          expect(Either.isLeft(r) && r.left._tag).toBe("CampaignTerminal")
          expect((yield* leads.get(org, lead!.id)).status).toBe("pending")
          expect(Option.isNone(yield* leads.removalOf(org, lead!.id))).toBe(true)
        }))

      it.effect("another organization's lead: not found, nothing changes", () =>
        Effect.gen(function*() {
          const { leads: [lead], org } = yield* seeded(1)
          const other = yield* newOrg
          const leads = yield* LeadRepository
          const r = yield* Effect.either(leads.remove(other.org, lead!.id, { api_key_id: other.keyId }))
          expect(Either.isLeft(r) && r.left._tag).toBe("LeadNotFound")
          expect((yield* leads.get(org, lead!.id)).status).toBe("pending")
        }))
    })

    describe("the worker's queue", () => {
      it.effect("claims respect max_concurrent_calls, due time and pause", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(5, { max_concurrent_calls: 2 })
          const queue = yield* LeadQueue
          const first = yield* claimAll()
          expect(first.length).toBe(2)
          expect(yield* claimAll()).toHaveLength(0)
          const dial = yield* queue.startDial(first[0]!, LEASE)
          yield* queue.finishCall(dial, yield* outcome("completed"))
          expect(yield* claimAll()).toHaveLength(1)
          yield* Effect.flatMap(CampaignRepository, (c) => c.update(org, campaign.id, { status: "paused" }))
          // Claimed before the pause: the re-check gives the lead back, in its slot.
          const refused = yield* Effect.either(queue.startDial(first[1]!, LEASE))
          expect(Either.isLeft(refused) && refused.left._tag === "DialCancelled" && refused.left.reason).toBe("campaign_paused")
          const lead = yield* Effect.flatMap(LeadRepository, (l) => l.get(org, first[1]!.lead_id))
          expect(lead.status).toBe("pending")
          expect(lead.scheduled_at.getTime()).toBe(START)
          expect(yield* claimAll()).toHaveLength(0)

          const future = yield* seeded(1, { scheduled_at: new Date(START + 60_000) })
          expect((yield* claimAll()).filter((c) => c.campaign_id === future.campaign.id)).toHaveLength(0)
          yield* TestClock.adjust("61 seconds")
          expect((yield* claimAll()).filter((c) => c.campaign_id === future.campaign.id)).toHaveLength(1)
        }))

      it.effect("calling windows, in each lead's zone", () =>
        Effect.gen(function*() {
          const window = new CallingWindow({
            start_time: "09:00",
            end_time: "17:00",
            timezone: Schema.decodeSync(TimeZone)("America/New_York")
          })
          // 12:00Z is 08:00 in New York (closed) and 14:00 in Paris (open).
          const { campaign, org } = yield* seeded(0, { calling_window: window, max_concurrent_calls: 10 })
          const leads = yield* LeadRepository
          const ny = yield* leads.add(org, campaign.id, leadDraft(1))
          const paris = yield* leads.add(org, campaign.id, leadDraft(2, { timezone: "Europe/Paris" }))
          const mine = () => Effect.map(claimAll(), (cs) => cs.filter((c) => c.campaign_id === campaign.id).map((c) => c.lead_id))
          expect(yield* mine()).toEqual([paris.id])
          yield* TestClock.adjust("1 hour") // 09:00 in New York
          expect(yield* mine()).toEqual([ny.id])
        }))

      it.effect("retries: no_answer goes back after the interval, up to max_retries; then failed", () =>
        Effect.gen(function*() {
          const { campaign, leads: [lead], org } = yield* seeded(1, {
            retry_config: new RetryConfig({ max_retries: 1, retry_interval_minutes: 10 })
          })
          const queue = yield* LeadQueue
          const [c1] = yield* claimAll()
          const d1 = yield* queue.startDial(c1!, LEASE)
          expect(d1.attempt).toBe(1)
          expect(yield* queue.finishCall(d1, yield* outcome("no_answer"))).toMatchObject({ retry: true })
          const waiting = yield* Effect.flatMap(LeadRepository, (l) => l.get(org, lead!.id))
          expect(waiting).toMatchObject({ status: "pending", attempts: 1, call_log_id: d1.call_log_id })
          expect(waiting.scheduled_at.getTime()).toBe(START + 10 * 60_000)
          expect(yield* claimAll()).toHaveLength(0)
          yield* TestClock.adjust("10 minutes")
          const [c2] = yield* claimAll()
          const d2 = yield* queue.startDial(c2!, LEASE)
          expect(d2.attempt).toBe(2)
          const last = yield* queue.finishCall(d2, yield* outcome("busy"))
          expect(last).toMatchObject({ retry: false, campaign_status: "completed" })
          const done = yield* Effect.flatMap(LeadRepository, (l) => l.get(org, lead!.id))
          expect(done).toMatchObject({ status: "failed", attempts: 2 })
          const logs = yield* Effect.flatMap(CallLogRepository, (c) => c.listByCampaign(org, campaign.id, { page: 1, limit: 10, sort: "asc" }))
          expect(logs.data.map((l) => [l.attempt, l.status])).toEqual([[1, "no_answer"], [2, "busy"]])
        }))

      it.effect("cancel: pending leads are never claimed; the call in progress finishes", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(3, { max_concurrent_calls: 1 })
          const queue = yield* LeadQueue
          const [claim] = yield* claimAll()
          const dial = yield* queue.startDial(claim!, LEASE)
          yield* Effect.flatMap(CampaignRepository, (c) => c.cancel(org, campaign.id))
          yield* queue.finishCall(dial, yield* outcome("completed"))
          expect(yield* claimAll()).toHaveLength(0)
          const got = yield* Effect.flatMap(CampaignRepository, (c) => c.get(org, campaign.id))
          expect(got).toMatchObject({ status: "cancelled", completed_leads: 1, pending_leads: 2, in_progress_leads: 0 })
        }))

      it.effect("an expired claim is recovered under a new claim id; the old holder is fenced out", () =>
        Effect.gen(function*() {
          const { leads: [a, b], org } = yield* seeded(2)
          const queue = yield* LeadQueue
          const claims = yield* claimAll()
          const dial = yield* queue.startDial(claims.find((c) => c.lead_id === a!.id)!, LEASE)
          yield* TestClock.adjust(LEASE + 1)
          const expired = yield* queue.expiredClaims(10)
          expect(expired.map((e) => e.lead_id).sort()).toEqual([a!.id, b!.id].sort())
          const recovered: Array<Option.Option<Dial>> = []
          for (const e of expired) recovered.push(yield* queue.recover(e, "w2", LEASE))
          const taken = recovered.flatMap((r) => Option.toArray(r))
          expect(taken.map((d) => [d.lead_id, d.call_log_id, d.attempt])).toEqual([[a!.id, dial.call_log_id, 1]])
          expect((yield* Effect.flatMap(LeadRepository, (l) => l.get(org, b!.id))).status).toBe("pending")
          // The stalled holder comes back: none of its writes land.
          const stale = yield* Effect.either(queue.finishCall(dial, yield* outcome("completed")))
          expect(Either.isLeft(stale) && stale.left._tag).toBe("StaleClaim")
          const renew = yield* Effect.either(queue.renewLease(dial, LEASE))
          expect(Either.isLeft(renew) && renew.left._tag).toBe("StaleClaim")
          const log = yield* Effect.flatMap(CallLogRepository, (c) => c.get(org, dial.call_log_id))
          expect(log.status).toBe("initiated")
          yield* queue.finishCall(taken[0]!, yield* outcome("completed"))
          expect((yield* Effect.flatMap(CallLogRepository, (c) => c.get(org, dial.call_log_id))).status).toBe("completed")
          // Recovered claims are not recovered twice.
          const again = yield* Effect.either(queue.recover(expired[0]!, "w3", LEASE))
          expect(Either.isLeft(again)).toBe(true)
        }))

      it.effect("call logs are never deleted, and an attempt cannot be logged twice", () =>
        Effect.gen(function*() {
          yield* seeded(1)
          const sql = yield* SqlClient.SqlClient
          const queue = yield* LeadQueue
          const [claim] = yield* claimAll()
          const dial = yield* queue.startDial(claim!, LEASE)
          const del = yield* Effect.either(sql`DELETE FROM call_logs WHERE id = ${dial.call_log_id}`)
          expect(Either.isLeft(del)).toBe(true)
          const dup = yield* Effect.either(sql`INSERT INTO call_logs (id, organization_id, campaign_id, lead_id, call_id, claim_id,
            phone_number, attempt, status, created_at, updated_at)
            VALUES ('log_dup', ${dial.organization_id}, ${dial.campaign_id}, ${dial.lead_id}, 'call_dup', ${dial.claim_id},
            ${dial.phone_number}, ${dial.attempt}, 'initiated', 0, 0)`)
          expect(Either.isLeft(dup)).toBe(true)
          const [{ n }] = (yield* sql<{ n: number }>`SELECT count(*) AS n FROM call_logs WHERE id = ${dial.call_log_id}`) as [{ n: number }]
          expect(Number(n)).toBe(1)
        }))

      it.effect("call log filters and sort", () =>
        Effect.gen(function*() {
          const { campaign, org } = yield* seeded(3, { max_concurrent_calls: 3 })
          const queue = yield* LeadQueue
          const claims = yield* claimAll()
          const statuses = ["completed", "busy", "failed"] as const
          for (const [i, claim] of claims.entries()) {
            const dial = yield* queue.startDial(claim, LEASE)
            yield* TestClock.adjust("1 second")
            yield* queue.finishCall(dial, yield* outcome(statuses[i]!, 5 + i))
          }
          const logs = yield* CallLogRepository
          const all = yield* logs.list(org, { campaign_id: campaign.id, page: 1, limit: 10, sort: "asc" })
          expect(all.data.map((l) => l.status)).toEqual([...statuses])
          expect((yield* logs.list(org, { campaign_id: campaign.id, status: "busy", page: 1, limit: 10 })).meta.total).toBe(1)
          expect((yield* logs.list(org, { campaign_id: campaign.id, duration_min: 1, page: 1, limit: 10 })).data.map((l) => l.status))
            .toEqual(["completed"])
          const desc = yield* logs.list(org, { campaign_id: campaign.id, page: 1, limit: 10, sort: "desc" })
          expect(desc.data.map((l) => l.status)).toEqual([...statuses].reverse())
          const since = yield* logs.list(org, { campaign_id: campaign.id, start_date: new Date(START + 500), page: 1, limit: 10 })
          expect(since.meta.total).toBe(2)
          const other = yield* newOrg
          const foreign = yield* Effect.either(logs.listByCampaign(other.org, campaign.id, { page: 1, limit: 10 }))
          expect(Either.isLeft(foreign) && foreign.left._tag).toBe("CampaignNotFound")
          const foreignLog = yield* Effect.either(logs.get(other.org, all.data[0]!.id))
          expect(Either.isLeft(foreignLog) && foreignLog.left._tag).toBe("CallLogNotFound")
        }))
    })

    describe("API keys", () => {
      it.effect("only a hash is stored; wrong, malformed and revoked keys are refused", () =>
        Effect.gen(function*() {
          const keys = yield* ApiKeyRepository
          const name = `acme-${Math.random()}`
          const issued = yield* keys.createKey(name)
          expect(issued.api_key).toMatch(/^lq_[0-9a-z]{24}_[0-9a-z]{32}$/)
          expect(issued.organization_created).toBe(true)
          expect(yield* keys.authenticate(issued.api_key)).toEqual({
            organization_id: issued.organization_id,
            api_key_id: issued.api_key_id
          })
          const second = yield* keys.createKey(name)
          expect(second.organization_id).toBe(issued.organization_id)
          expect(second.organization_created).toBe(false)
          const sql = yield* SqlClient.SqlClient
          const stored = yield* sql<{ secret_hash: string }>`SELECT secret_hash FROM api_keys WHERE id = ${issued.api_key_id}`
          const secret = issued.api_key.split("_")[2]!
          expect(stored[0]!.secret_hash).not.toContain(secret)
          expect(stored[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/)
          const tampered = issued.api_key.slice(0, -1) + (issued.api_key.endsWith("a") ? "b" : "a")
          for (const bad of [tampered, "", "Bearer x", "lq_short", issued.api_key + "x"]) {
            const r = yield* Effect.either(keys.authenticate(bad))
            expect(Either.isLeft(r) && r.left._tag).toBe("Unauthorized")
          }
          yield* keys.revoke(issued.api_key_id)
          const revoked = yield* Effect.either(keys.authenticate(issued.api_key))
          expect(Either.isLeft(revoked) && revoked.left._tag).toBe("Unauthorized")
          expect(yield* keys.authenticate(second.api_key)).toMatchObject({ api_key_id: second.api_key_id })
          const unknown = yield* Effect.either(keys.revoke("key_unknown"))
          expect(Either.isLeft(unknown) && unknown.left._tag).toBe("ApiKeyNotFound")
        }))
    })
  })
}
