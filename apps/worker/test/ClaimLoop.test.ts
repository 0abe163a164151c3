import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import type { ClaimRequest } from "@leadq/domain"
import { LeadQueue } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import { memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import type { Scope } from "effect"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { WorkerConfigWith, WorkerRunner, workerSettings } from "../src/index.js"
import { dialsOf, eventually, hangUpsOf, seed, storeLayer } from "./fixtures.js"
import type { StoreServices } from "./fixtures.js"

/**
 * The claim loop's timing rules, seen from the carrier's ledger: leads falling due one after the
 * other are each picked up when they fall due — not at the next poll, and not only when a call in
 * progress ends — and a worker claims in batches, not one transaction per freed slot.
 */
const engines = await testEngines()

/** The worker with the store's queue, optionally watched (every `claimDue` and what it returned). */
const startWatchedWorker = (carrier: Parameters<typeof SimulatedCarrierWith>[0], overrides: Parameters<typeof workerSettings>[0], onClaim?: (request: ClaimRequest, claimed: number) => void) =>
  Effect.gen(function*() {
    const ledger = memoryLedger()
    const queue = yield* LeadQueue
    const watched = LeadQueue.of({
      ...queue,
      claimDue: (request) => Effect.tap(queue.claimDue(request), (claims) => Effect.sync(() => onClaim?.(request, claims.length)))
    })
    const scope = yield* Effect.scope
    yield* Layer.buildWithScope(
      WorkerRunner.pipe(
        Layer.provide(SimulatedCarrierWith(carrier, ledger)),
        Layer.provide(WorkerConfigWith(workerSettings({ lease_ms: 30_000, sweep_interval_ms: 1_000, ...overrides }))),
        Layer.provide(Layer.succeed(LeadQueue, watched)),
        Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
      ),
      scope
    )
    return ledger
  })

for (const engine of engines) {
  describe(`the claim loop on ${engine}`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("leads falling due one after another are dialled as they fall due, while the first call still goes on (poll interval 60 s)", () =>
      run(Effect.gen(function*() {
        const { leads } = yield* seed(Array.from({ length: 8 }, () => ({ sim_duration_ms: 20_000 })), { max_concurrent_calls: 10 })
        // Each lead falls due 30 ms after the one before, starting shortly.
        const sql = yield* SqlClient.SqlClient
        const first = Date.now() + 300
        for (const [i, lead] of leads.entries()) yield* sql`UPDATE leads SET scheduled_at = ${first + i * 30} WHERE id = ${lead.id}`
        const ledger = yield* startWatchedWorker({ ring_ms: 0, duration_ms: 20_000 }, { poll_interval_ms: 60_000, max_in_flight: 10, shutdown_grace_ms: 0 })
        // With a 60 s poll and 20 s calls, only the due times themselves can have woken the worker.
        yield* eventually(Effect.map(ledger.lines, (lines) => expect(dialsOf(lines)).toHaveLength(8)), 15_000)
        const lines = yield* ledger.lines
        expect(hangUpsOf(lines)).toHaveLength(0)
        expect(new Set(dialsOf(lines).map((d) => d.lead_id))).toEqual(new Set(leads.map((l) => l.id)))
      })), 30_000)

    it.live("with instant calls, claims come in batches rather than one transaction per freed slot; every lead dialled once", () =>
      run(Effect.gen(function*() {
        const { leads } = yield* seed(Array.from({ length: 60 }, () => ({})), { max_concurrent_calls: 100 })
        const claims: Array<number> = []
        const ledger = yield* startWatchedWorker({ ring_ms: 0, duration_ms: 0 }, { poll_interval_ms: 100, max_in_flight: 8 }, (_, n) => {
          if (n > 0) claims.push(n)
        })
        yield* eventually(Effect.map(ledger.lines, (lines) => expect(hangUpsOf(lines)).toHaveLength(60)), 20_000)
        const dials = dialsOf(yield* ledger.lines)
        expect(dials).toHaveLength(60)
        expect(new Set(dials.map((d) => d.lead_id)).size).toBe(leads.length)
        expect(claims.reduce((a, b) => a + b, 0)).toBe(60)
        // A quarter of max_in_flight (2) at least per claim, but for the last ones.
        expect(claims.length).toBeLessThanOrEqual(60 / 2 + 2)
      })), 30_000)
  })
}

