import { describe, expect, it } from "@effect/vitest"
import type { Claim } from "@leadq/domain"
import { CallLogRepository, CampaignRepository, LeadQueue, LeadRepository, RetryConfig } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import { Carrier, memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import type { Scope } from "effect"
import { Effect, Either, Option } from "effect"
import { workerLost } from "../src/CallFollower.js"
import {
  campaignOf,
  dialsOf,
  eventually,
  hangUpsOf,
  leadOf,
  liveSleep,
  logsOf,
  maxOverlap,
  seed,
  startWorker,
  storeLayer
} from "./fixtures.js"
import type { StoreServices } from "./fixtures.js"
import { makeGate } from "./GatedCarrier.js"

const engines = await testEngines()
const SIM = { ring_ms: 150, duration_ms: 400 }

for (const engine of engines) {
  describe(`worker on ${engine} (real time, simulated carrier)`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("the removal table of docs/design.md §3, row by row, with a running worker", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        // The last lead keeps the campaign running (a drained campaign completes, and then
        // nothing about it may change any more).
        const { campaign, keyId, leads: [inCall, ringing, called, pending, keeper], org } = yield* seed(
          [{ sim_duration_ms: 1500 }, { sim_outcome: "busy", sim_ring_ms: 1500 }, { sim_duration_ms: 100 }, {}, { sim_duration_ms: 3000 }],
          { max_concurrent_calls: 2, retry_config: new RetryConfig({ max_retries: 2, retry_interval_minutes: 1 }) }
        )
        yield* startWorker(SimulatedCarrierWith(SIM, ledger))
        const leads = yield* LeadRepository
        const logs = yield* CallLogRepository

        // The first two are in their calls: one connected, one still ringing; the others wait.
        yield* eventually(Effect.gen(function*() {
          const all = yield* logsOf(org, campaign)
          expect(all.find((l) => l.lead_id === inCall!.id)?.status).toBe("in_progress")
          expect(all.find((l) => l.lead_id === ringing!.id)?.status).toBe("initiated")
        }))
        const removedPending = yield* leads.remove(org, pending!.id, { api_key_id: keyId, reason: "opt-out" })
        expect(removedPending).toMatchObject({ removed_from: "pending", call_in_progress: false })
        const removedInCall = yield* leads.remove(org, inCall!.id, { api_key_id: keyId })
        expect(removedInCall).toMatchObject({ removed_from: "in_call", call_in_progress: true })
        const removedRinging = yield* leads.remove(org, ringing!.id, { api_key_id: keyId })
        expect(removedRinging).toMatchObject({ removed_from: "in_call", call_in_progress: true })

        // The third gets its call once a slot frees, then is removed after it.
        const calledLog = yield* eventually(Effect.gen(function*() {
          const log = (yield* logsOf(org, campaign)).find((l) => l.lead_id === called!.id)
          expect(log?.status).toBe("completed")
          return log!
        }))
        expect((yield* leads.remove(org, called!.id, { api_key_id: keyId })).removed_from).toBe("called")

        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const final = yield* logsOf(org, campaign)
        const lines = yield* ledger.lines
        const dials = dialsOf(lines)

        // Removed while pending: never dialled.
        expect(dials.filter((d) => d.lead_id === pending!.id)).toEqual([])
        // Removed mid-call: the call ran its whole course, the log is complete, nothing followed it.
        const inCallLog = final.find((l) => l.lead_id === inCall!.id)!
        expect(inCallLog).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 1.5 })
        expect(inCallLog.ended_at!.getTime() - inCallLog.started_at!.getTime()).toBe(1500)
        const ringingLogs = final.filter((l) => l.lead_id === ringing!.id)
        expect(ringingLogs.map((l) => [l.attempt, l.status, l.end_reason])).toEqual([[1, "busy", "user_busy"]])
        expect(dials.filter((d) => d.lead_id === ringing!.id)).toHaveLength(1)
        for (const h of hangUpsOf(lines)) expect(h.by).not.toBe("leadq")
        // Removed after its call: the log stays, by id and in the campaign's list.
        expect((yield* logs.get(org, calledLog.id)).status).toBe("completed")
        expect(final.map((l) => l.lead_id).sort()).toEqual([inCall!.id, ringing!.id, called!.id, keeper!.id].sort())
        // Removed leads are invisible, and every removal is audited.
        for (const lead of [inCall!, ringing!, called!, pending!]) {
          const got = yield* Effect.either(leads.get(org, lead.id))
          expect(Either.isLeft(got) && got.left._tag).toBe("LeadNotFound")
          expect(Option.isSome(yield* leads.removalOf(org, lead.id))).toBe(true)
        }
        const counters = yield* campaignOf(org, campaign)
        expect(counters).toMatchObject({ total_leads: 5, removed_leads: 4, completed_leads: 1, pending_leads: 0, in_progress_leads: 0 })
      })))

    it.live("claimed but not yet dialled: the removal cancels the dial (the worker's re-check)", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const gate = yield* makeGate
        const { campaign, keyId, leads: [first, second], org } = yield* seed([{}, {}], { max_concurrent_calls: 2 })
        yield* startWorker(gate.layer(SimulatedCarrierWith(SIM, ledger)))
        // The first placement is held at the gate, so the second claim waits behind it.
        const held = yield* gate.reached
        expect(held.lead_id).toBe(first!.id)
        yield* eventually(Effect.map(leadOf(org, second!), (l) => expect(l.status).toBe("in_progress")))
        const removal = yield* Effect.flatMap(LeadRepository, (l) => l.remove(org, second!.id, { api_key_id: keyId }))
        expect(removal.removed_from).toBe("claimed")
        yield* gate.open
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect(dialsOf(yield* ledger.lines).map((d) => d.lead_id)).toEqual([first!.id])
        expect((yield* logsOf(org, campaign)).map((l) => [l.lead_id, l.status])).toEqual([[first!.id, "completed"]])
      })))

    it.live("pause and cancel: calls in progress finish, nothing new is dialled after the acknowledgement", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, org } = yield* seed(Array.from({ length: 8 }, () => ({ sim_duration_ms: 500 })), { max_concurrent_calls: 2 })
        yield* startWorker(SimulatedCarrierWith(SIM, ledger))
        const campaigns = yield* CampaignRepository
        yield* eventually(Effect.map(ledger.lines, (lines) => expect(dialsOf(lines).length).toBeGreaterThanOrEqual(2)))
        yield* campaigns.update(org, campaign.id, { status: "paused" })
        const pausedAt = Date.now()
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.in_progress_leads).toBe(0)))
        yield* liveSleep(600)
        const afterPause = yield* logsOf(org, campaign)
        // Only dials that had started (their log written) before the pause was acknowledged.
        expect(afterPause.every((l) => l.created_at.getTime() <= pausedAt)).toBe(true)
        expect(afterPause.every((l) => l.status === "completed")).toBe(true)
        const dialsWhilePaused = dialsOf(yield* ledger.lines).filter((d) => Date.parse(d.at) > pausedAt)
        expect(dialsWhilePaused.every((d) => afterPause.some((l) => l.call_id === d.call_id))).toBe(true)
        expect((yield* campaignOf(org, campaign)).pending_leads).toBe(8 - afterPause.length)

        yield* campaigns.update(org, campaign.id, { status: "running" })
        yield* eventually(Effect.map(logsOf(org, campaign), (all) => expect(all.length).toBeGreaterThan(afterPause.length)))
        yield* campaigns.cancel(org, campaign.id)
        const cancelledAt = Date.now()
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.in_progress_leads).toBe(0)))
        yield* liveSleep(600)
        const final = yield* logsOf(org, campaign)
        expect(final.every((l) => l.created_at.getTime() <= cancelledAt && l.status === "completed")).toBe(true)
        const c = yield* campaignOf(org, campaign)
        expect(c).toMatchObject({ status: "cancelled", completed_leads: final.length, pending_leads: 8 - final.length })
        expect(c.pending_leads).toBeGreaterThan(0)
        expect(dialsOf(yield* ledger.lines)).toHaveLength(final.length)
      })))

    it.live("pacing: two workers, max_concurrent_calls = 3, never more than 3 overlapping calls in the ledger", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, org } = yield* seed(Array.from({ length: 10 }, () => ({ sim_duration_ms: 300 })), { max_concurrent_calls: 3 })
        const carrier = SimulatedCarrierWith({ ring_ms: 50, duration_ms: 300 }, ledger)
        yield* startWorker(carrier, { worker_id: "w-a", max_in_flight: 5 })
        yield* startWorker(carrier, { worker_id: "w-b", max_in_flight: 5 })
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const lines = yield* ledger.lines
        expect(dialsOf(lines)).toHaveLength(10)
        const overlap = maxOverlap(lines, campaign.id)
        expect(overlap).toBeLessThanOrEqual(3)
        expect(overlap).toBeGreaterThanOrEqual(2)
        expect((yield* campaignOf(org, campaign)).completed_leads).toBe(10)
      })))

    it.live("shutdown (what SIGTERM does): no new claims, undialled claims given back in their slots, the call in progress finishes", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const gate = yield* makeGate
        const { campaign, leads, org } = yield* seed([{ sim_duration_ms: 300 }, {}, {}, {}], { max_concurrent_calls: 3 })
        const worker = yield* startWorker(gate.layer(SimulatedCarrierWith(SIM, ledger)), { shutdown_grace_ms: 10_000 })
        yield* gate.reached
        // Three claims: the first is being placed, two wait behind it.
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.in_progress_leads).toBe(3)))
        const stopping = yield* Effect.fork(worker.stop)
        yield* liveSleep(200)
        yield* gate.open
        yield* stopping.await
        const logs = yield* logsOf(org, campaign)
        expect(logs.map((l) => [l.lead_id, l.status])).toEqual([[leads[0]!.id, "completed"]])
        expect(dialsOf(yield* ledger.lines).map((d) => d.lead_id)).toEqual([leads[0]!.id])
        for (const lead of leads.slice(1)) {
          const now = yield* leadOf(org, lead)
          expect(now.status).toBe("pending")
          expect(now.scheduled_at).toEqual(lead.scheduled_at)
        }
        // Nothing is held by the stopped worker: another one picks the rest up at once.
        expect(yield* Effect.flatMap(LeadQueue, (q) => q.expiredClaims(10))).toEqual([])
        yield* startWorker(SimulatedCarrierWith(SIM, ledger))
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.completed_leads).toBe(4)))
      })))

    it.live("shutdown grace: a call longer than the grace is left to recovery, the worker stops without waiting for its end", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, leads: [lead], org } = yield* seed([{ sim_duration_ms: 20_000 }], { max_concurrent_calls: 1 })
        const worker = yield* startWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 20_000 }, ledger), { shutdown_grace_ms: 300 })
        yield* eventually(Effect.map(logsOf(org, campaign), ([log]) => expect(log?.status).toBe("in_progress")))
        yield* worker.stop
        // Stopped with the call still going: nothing written for it, its claim left to run out.
        const [log] = yield* logsOf(org, campaign)
        expect(log!.status).toBe("in_progress")
        expect((yield* leadOf(org, lead!)).status).toBe("in_progress")
        expect(hangUpsOf(yield* ledger.lines)).toEqual([])
      })), 15_000)

    it.live("recovery: a dead worker's calls are settled from the carrier's record, never dialled again", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const carrierLayer = SimulatedCarrierWith(SIM, ledger)
        const { campaign, leads: [placed, logged, claimed], org } = yield* seed(
          [{ sim_duration_ms: 800 }, {}, {}],
          { max_concurrent_calls: 3 }
        )
        // A worker that dies: one call placed, one logged but never placed, one only claimed.
        const queue = yield* LeadQueue
        const claims = yield* queue.claimDue({ worker_id: "dead", limit: 3, lease_ms: 500 })
        const byLead = (id: string) => claims.find((c: Claim) => c.lead_id === id)!
        const dialPlaced = yield* queue.startDial(byLead(placed!.id), 500)
        const dialLogged = yield* queue.startDial(byLead(logged!.id), 500)
        yield* Effect.flatMap(Carrier, (c) =>
          c.place({ ...dialPlaced, worker_id: "dead" })).pipe(Effect.provide(carrierLayer))

        yield* startWorker(carrierLayer, { worker_id: "rescuer" })
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const logs = yield* logsOf(org, campaign)
        const logOf = (id: string) => logs.filter((l) => l.lead_id === id)
        // The placed call: its truth, from the carrier.
        expect(logOf(placed!.id).map((l) => [l.call_id, l.status, l.duration_seconds])).toEqual([[dialPlaced.call_id, "completed", 0.8]])
        // Logged but never placed: the carrier never heard of it, so it is failed as worker_lost.
        expect(logOf(logged!.id).map((l) => [l.call_id, l.status, l.end_reason])).toEqual([[dialLogged.call_id, "failed", "worker_lost"]])
        // Only claimed: back in its slot, then called normally.
        expect(logOf(claimed!.id).map((l) => [l.attempt, l.status])).toEqual([[1, "completed"]])
        const dials = dialsOf(yield* ledger.lines)
        expect(dials.filter((d) => d.lead_id === placed!.id)).toHaveLength(1)
        expect(dials.filter((d) => d.lead_id === logged!.id)).toHaveLength(0)
        expect(dials.filter((d) => d.lead_id === claimed!.id).map((d) => d.worker_id)).toEqual(["rescuer"])
        // The dead worker's fencing token is stale: its late write does not land.
        const late = yield* Effect.either(queue.finishCall(dialPlaced, yield* workerLost))
        expect(Either.isLeft(late) && late.left._tag).toBe("StaleClaim")
      })))
  })
}
