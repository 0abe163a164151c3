import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import type { Claim } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import type { Carrier } from "@leadq/telephony"
import { memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import { Effect, Exit, Layer, Logger, LogLevel, Option, Scope } from "effect"
import type { WorkerSettings } from "../src/index.js"
import { WorkerConfigWith, WorkerRunner, workerSettings } from "../src/index.js"
import { campaignOf, dialsOf, eventually, hangUpsOf, leadOf, liveSleep, logsOf, seed, storeLayer } from "./fixtures.js"
import type { StoreServices } from "./fixtures.js"
import { makeGate } from "./GatedCarrier.js"

/**
 * The worker's batches, seen from the store calls it makes and from the carrier's ledger: claims
 * started together in one transaction and placed in claim order, ended calls written together,
 * every held claim renewed by one lease keeper, `in_progress` marks only for calls that last.
 */
const engines = await testEngines()

interface Watch {
  readonly claims: Array<ReadonlyArray<Claim>>
  readonly startDials: Array<number>
  readonly finishCalls: Array<number>
  readonly renewLeases: Array<number>
  markConnected: number
}

/** A worker on the store's queue, every batch call it makes recorded. Stopped with `stop` or at the end of the test. */
const startWatchedWorker = (carrier: Layer.Layer<Carrier>, overrides: Partial<WorkerSettings>) =>
  Effect.gen(function*() {
    const watch: Watch = { claims: [], startDials: [], finishCalls: [], renewLeases: [], markConnected: 0 }
    const queue = yield* LeadQueue
    const watched = LeadQueue.of({
      ...queue,
      claimDue: (request) => Effect.tap(queue.claimDue(request), (claims) => Effect.sync(() => claims.length > 0 && watch.claims.push(claims))),
      startDials: (claims, leaseMs) => Effect.zipRight(Effect.sync(() => watch.startDials.push(claims.length)), queue.startDials(claims, leaseMs)),
      finishCalls: (calls) => Effect.zipRight(Effect.sync(() => watch.finishCalls.push(calls.length)), queue.finishCalls(calls)),
      renewLeases: (refs, leaseMs) => Effect.zipRight(Effect.sync(() => watch.renewLeases.push(refs.length)), queue.renewLeases(refs, leaseMs)),
      markConnected: (dial, at) => Effect.zipRight(Effect.sync(() => watch.markConnected++), queue.markConnected(dial, at))
    })
    const settings = workerSettings({ poll_interval_ms: 100, lease_ms: 3_000, sweep_interval_ms: 200, ...overrides })
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    yield* Layer.buildWithScope(
      WorkerRunner.pipe(
        Layer.provide(carrier),
        Layer.provide(WorkerConfigWith(settings)),
        Layer.provide(Layer.succeed(LeadQueue, watched)),
        Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
      ),
      scope
    )
    return { watch, stop: Scope.close(scope, Exit.void) }
  })

for (const engine of engines) {
  describe(`the worker's batches on ${engine}`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("claims are started together, in one transaction per batch, and placed in claim order; ended calls are written together; instant calls are never marked in_progress", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, leads, org } = yield* seed(Array.from({ length: 40 }, () => ({})), { max_concurrent_calls: 100 })
        const { watch } = yield* startWatchedWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger), { max_in_flight: 40 })
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const dials = dialsOf(yield* ledger.lines)
        // Each lead dialled once, in the order the leads were claimed.
        expect(dials.map((d) => d.lead_id)).toEqual(watch.claims.flat().map((c) => c.lead_id))
        expect(new Set(dials.map((d) => d.lead_id)).size).toBe(leads.length)
        // Batches: every claim waiting went into one startDials; ended calls were written together.
        expect(watch.startDials.reduce((a, b) => a + b, 0)).toBe(40)
        expect(Math.max(...watch.startDials)).toBeGreaterThan(1)
        expect(watch.startDials.length).toBeLessThan(40)
        expect(watch.finishCalls.reduce((a, b) => a + b, 0)).toBe(40)
        expect(watch.finishCalls.length).toBeLessThan(40)
        // A call over the moment it was answered needs no `in_progress` mark: its log has the times.
        expect(watch.markConnected).toBe(0)
        const logs = yield* logsOf(org, campaign)
        expect(logs).toHaveLength(40)
        for (const log of logs) {
          expect(log).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 0 })
          expect(log.started_at).toEqual(log.ended_at)
        }
      })))

    it.live("LEADQ_DIAL_BATCH=1: one dial per transaction, even with a carrier that takes whole batches", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, org } = yield* seed(Array.from({ length: 6 }, () => ({})), { max_concurrent_calls: 10 })
        const { watch } = yield* startWatchedWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger), { max_in_flight: 10, dial_batch: 1 })
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect(watch.startDials).toEqual([1, 1, 1, 1, 1, 1])
        expect(dialsOf(yield* ledger.lines)).toHaveLength(6)
      })))

    it.live("calls still going a moment after they were answered are marked in_progress, with the moment of the answer", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, org } = yield* seed(Array.from({ length: 3 }, () => ({})), { max_concurrent_calls: 3 })
        const { watch } = yield* startWatchedWorker(SimulatedCarrierWith({ ring_ms: 100, duration_ms: 1_000 }, ledger), {})
        const going = yield* eventually(Effect.map(logsOf(org, campaign), (logs) => {
          expect(logs.map((l) => l.status)).toEqual(["in_progress", "in_progress", "in_progress"])
          return logs
        }))
        const dials = dialsOf(yield* ledger.lines)
        for (const log of going) {
          const dial = dials.find((d) => d.call_id === log.call_id)!
          expect(log.started_at!.getTime()).toBe(Date.parse(dial.at) + 100)
        }
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect(watch.markConnected).toBe(3)
        for (const log of yield* logsOf(org, campaign)) expect(log).toMatchObject({ status: "completed", duration_seconds: 1 })
      })))

    it.live("one lease keeper renews every claim held, those waiting behind a slow placement too: none expires, none is recovered", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const gate = yield* makeGate
        const { campaign, leads, org } = yield* seed(Array.from({ length: 4 }, () => ({ sim_duration_ms: 100 })), { max_concurrent_calls: 4 })
        // A 600 ms lease, renewed every 200 ms; the first placement is held for 2 s.
        const { watch } = yield* startWatchedWorker(gate.layer(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 100 }, ledger)), {
          lease_ms: 600,
          sweep_interval_ms: 100
        })
        yield* gate.reached
        yield* liveSleep(2_000)
        // The claims behind the held placement are still this worker's, their leases current.
        const queue = yield* LeadQueue
        expect(yield* queue.expiredClaims(10)).toEqual([])
        const sql = yield* SqlClient.SqlClient
        const held = yield* sql<{ worker_id: string | null; lease_expires_at: number | null }>`
          SELECT worker_id, lease_expires_at FROM leads WHERE ${sql.in("id", leads.map((l) => l.id))}`
        expect(held.every((h) => h.worker_id !== null && Number(h.lease_expires_at) > Date.now())).toBe(true)
        expect(watch.renewLeases.length).toBeGreaterThanOrEqual(5)
        expect(watch.renewLeases.every((n) => n === 4)).toBe(true)
        yield* gate.open
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        const dials = dialsOf(yield* ledger.lines)
        expect(dials.map((d) => d.lead_id)).toEqual(leads.map((l) => l.id))
        expect((yield* logsOf(org, campaign)).map((l) => [l.attempt, l.status])).toEqual(leads.map(() => [1, "completed"]))
      })))

    it.live("a claim found stale by the lease keeper: its call is no longer followed, and nothing more is written for it", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        // A call that rings 4 s unanswered: no `in_progress` mark, only the lease keeper can find the claim stale.
        // (Long enough that the take-over below comes before the call's end on a loaded machine.)
        const { campaign, leads: [lead], org } = yield* seed([{ sim_outcome: "no_answer", sim_ring_ms: 4_000 }], { max_concurrent_calls: 1 })
        yield* startWatchedWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger), { lease_ms: 600, sweep_interval_ms: 60_000 })
        const [first] = yield* eventually(Effect.map(logsOf(org, campaign), (logs) => {
          expect(logs).toHaveLength(1)
          return logs
        }))
        // Another worker takes the lead over (as if our lease had run out while we stalled).
        const sql = yield* SqlClient.SqlClient
        const queue = yield* LeadQueue
        yield* sql`UPDATE leads SET lease_expires_at = ${Date.now() - 1} WHERE id = ${lead!.id}`
        const expired = (yield* queue.expiredClaims(10)).filter((e) => e.lead_id === lead!.id)
        const taken = yield* queue.recover(expired[0]!, "w-other", 60_000)
        expect(Option.isSome(taken)).toBe(true)
        // Our worker's call would have ended at 4 s: it wrote nothing for it, not even the hang-up.
        yield* liveSleep(4_500)
        expect(hangUpsOf(yield* ledger.lines)).toEqual([])
        const [log] = yield* logsOf(org, campaign)
        expect(log!.id).toBe(first!.id)
        expect(log!.status).toBe("initiated")
        const [row] = yield* sql<{ worker_id: string }>`SELECT worker_id FROM leads WHERE id = ${lead!.id}`
        expect(row!.worker_id).toBe("w-other")
        expect((yield* leadOf(org, lead!)).status).toBe("in_progress")
      })))

    it.live("shutdown during a batch: every dial of the batch being placed is placed and recorded; the claims behind it go back to their slots", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const gate = yield* makeGate
        const { campaign, leads, org } = yield* seed(Array.from({ length: 5 }, () => ({ sim_duration_ms: 200 })), { max_concurrent_calls: 5 })
        const worker = yield* startWatchedWorker(gate.layer(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 200 }, ledger), 3), {
          max_in_flight: 5,
          shutdown_grace_ms: 10_000
        })
        // Three dials started in one transaction; the first of them is held at the gate.
        yield* gate.reached
        expect(worker.watch.startDials).toEqual([3])
        const stopping = yield* Effect.fork(worker.stop)
        yield* liveSleep(200)
        yield* gate.open
        yield* stopping.await
        const batch = worker.watch.claims.flat().slice(0, 3).map((c) => c.lead_id)
        expect(dialsOf(yield* ledger.lines).map((d) => d.lead_id)).toEqual(batch)
        expect((yield* logsOf(org, campaign)).map((l) => [l.lead_id, l.status])).toEqual(batch.map((id) => [id, "completed"]))
        for (const lead of leads.filter((l) => !batch.includes(l.id))) {
          const now = yield* leadOf(org, lead)
          expect(now.status).toBe("pending")
          expect(now.scheduled_at).toEqual(lead.scheduled_at)
        }
        expect(yield* Effect.flatMap(LeadQueue, (q) => q.expiredClaims(10))).toEqual([])
      })))
  })
}
