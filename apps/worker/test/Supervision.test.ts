import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { testEngines } from "@leadq/store/testing"
import { Carrier, memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import type { Scope } from "effect"
import { Cause, Effect, Exit, Fiber, Layer, Logger, LogLevel, Option } from "effect"
import type { WorkerSettings } from "../src/index.js"
import { WorkerConfigWith, WorkerLoopFailed, WorkerRunner, workerSettings, WorkerSupervised } from "../src/index.js"
import { campaignOf, dialsOf, eventually, leadOf, liveSleep, logsOf, seed, storeLayer } from "./fixtures.js"
import type { StoreServices } from "./fixtures.js"

/**
 * The worker's loops are supervised: a loop that dies fails the worker as a whole (the layer the
 * apps launch fails, so the process exits 1), with an error log naming the loop — never a worker
 * that lives on, claiming leads it will not dial. A store failure that passes is ridden out.
 */
const engines = await testEngines()

/** Error-level log lines, as text, for the assertions on what the worker said. */
const errorLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make<unknown, void>(({ cause, logLevel, message }) => {
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Error)) {
      lines.push(`${Array.isArray(message) ? message.join(" ") : String(message)} ${Cause.pretty(cause)}`)
    }
  })
  return { lines, layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.Error)) }
}

/** The worker exactly as `WorkerLive` runs it, with this carrier and these settings, launched in a fiber. */
const launchWorker = (carrier: Layer.Layer<Carrier>, overrides: Partial<WorkerSettings>, logger: Layer.Layer<never>) =>
  Effect.fork(Layer.launch(
    WorkerSupervised.pipe(
      Layer.provide(WorkerRunner),
      Layer.provide(carrier),
      Layer.provide(WorkerConfigWith(workerSettings({ poll_interval_ms: 100, lease_ms: 3_000, sweep_interval_ms: 200, shutdown_grace_ms: 1_000, ...overrides }))),
      Layer.provide(logger)
    )
  ))

const failureOf = <A, E>(exit: Exit.Exit<A, E>) => Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** The simulated carrier, except that placing a call dies (a carrier adapter with a bug). */
const dyingCarrier = (inner: Layer.Layer<Carrier>) =>
  Layer.effect(
    Carrier,
    Effect.map(Carrier, (carrier) => Carrier.of({ ...carrier, place: () => Effect.dieMessage("the carrier's place exploded") }))
  ).pipe(Layer.provide(inner))

for (const engine of engines) {
  describe(`supervision of the worker's loops on ${engine}`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("a defect in the dialer fails the worker with WorkerLoopFailed naming the loop, logged at error level; its shutdown still gives back the claim waiting", () =>
      run(Effect.gen(function*() {
        const { campaign, leads: [first, second], org } = yield* seed([{}, {}], { max_concurrent_calls: 2 })
        const logs = errorLogs()
        // Dial batches of one: the second claim waits for the dialer while the first is placed.
        const carrier = dyingCarrier(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, memoryLedger()))
        const worker = yield* launchWorker(carrier, { dial_batch: 1 }, logs.layer)
        const exit = yield* Fiber.await(worker).pipe(Effect.timeout("20 seconds"))

        const failure = failureOf(exit)
        expect(Option.isSome(failure) && failure.value instanceof WorkerLoopFailed).toBe(true)
        const failed = (failure as Option.Some<WorkerLoopFailed>).value
        expect(failed.loop).toBe("dialer")
        expect(Cause.pretty(failed.cause)).toContain("the carrier's place exploded")
        expect(logs.lines.some((l) => l.includes(`worker loop "dialer" failed`) && l.includes("the carrier's place exploded"))).toBe(true)
        // The first dial was logged before the carrier was asked: left to recovery. The second
        // claim, never dialled, was given back by the shutdown instead of being held forever.
        const [log, ...more] = yield* logsOf(org, campaign)
        expect(more).toEqual([])
        expect(log).toMatchObject({ lead_id: first!.id, status: "initiated" })
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ id: string; claim_id: string | null }>`SELECT id, claim_id FROM leads WHERE ${sql.in("id", [first!.id, second!.id])}`
        expect(rows.find((r) => r.id === first!.id)?.claim_id).not.toBeNull()
        expect(rows.find((r) => r.id === second!.id)?.claim_id).toBeNull()
        expect((yield* leadOf(org, second!)).status).toBe("pending")
      })), 30_000)

    it.live("the claim loop's table gone for good: the worker fails naming the claim loop; gone for a moment: it carries on", () =>
      run(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const ledger = memoryLedger()
        const carrier = SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger)

        // A moment (well inside the retries): the worker rides it out and dials the lead after.
        const quiet = errorLogs()
        const patient = yield* launchWorker(carrier, { worker_id: "patient" }, quiet.layer)
        yield* liveSleep(300)
        yield* sql`ALTER TABLE campaigns RENAME TO campaigns_away`
        yield* liveSleep(1_000)
        yield* sql`ALTER TABLE campaigns_away RENAME TO campaigns`
        const { campaign, org } = yield* seed([{}])
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect(dialsOf(yield* ledger.lines).map((d) => d.worker_id)).toEqual(["patient"])
        expect(patient.unsafePoll()).toBeNull()
        expect(quiet.lines).toEqual([])
        yield* Fiber.interrupt(patient)

        // For good: the claim loop's retries run out and the worker fails.
        const logs = errorLogs()
        const doomed = yield* launchWorker(carrier, { worker_id: "doomed" }, logs.layer)
        yield* liveSleep(300)
        yield* sql`ALTER TABLE campaigns RENAME TO campaigns_away`
        const exit = yield* Fiber.await(doomed).pipe(Effect.timeout("30 seconds"))
        const failure = failureOf(exit)
        expect(Option.isSome(failure) && failure.value instanceof WorkerLoopFailed && failure.value.loop).toBe("claim loop")
        expect(logs.lines.some((l) => l.includes(`worker loop "claim loop" failed`))).toBe(true)
        yield* sql`ALTER TABLE campaigns_away RENAME TO campaigns`
      })), 60_000)
  })
}
