import type { CarrierEvents, LeadQueue } from "@leadq/domain"
import type { QueueWakeups } from "@leadq/store"
import type { Carrier } from "@leadq/telephony"
import type { ConfigError } from "effect"
import { Duration, Effect, Fiber, Layer } from "effect"
import { CallFollower } from "./CallFollower.js"
import { CarrierFromConfig } from "./CarrierFromConfig.js"
import { ClaimLoop } from "./ClaimLoop.js"
import { ConnectedMarks } from "./ConnectedMarks.js"
import { Dialer } from "./Dialer.js"
import { Finisher } from "./Finisher.js"
import { Holdings } from "./Holdings.js"
import { LeaseKeeper } from "./LeaseKeeper.js"
import { Nudges } from "./Nudges.js"
import { Recovery } from "./Recovery.js"
import type { WorkerLoopFailed } from "./Supervisor.js"
import { Supervisor } from "./Supervisor.js"
import type { WorkerSettings } from "./WorkerConfig.js"
import { describeSettings, WorkerConfig, WorkerConfigFromEnv } from "./WorkerConfig.js"

/**
 * The dialing worker of docs/design.md §5 (docs/worker.md), for the life of its scope: its loops
 * started under the `Supervisor`, and its shutdown. Closing the scope (SIGTERM) stops claiming and
 * sweeping, gives back claims not yet dialled, lets the dialer finish the batch it is placing and
 * calls in progress finish within the shutdown grace, then leaves the rest to recovery.
 */
export class Worker extends Effect.Service<Worker>()("leadq/worker/Worker", {
  scoped: Effect.flatMap(WorkerConfig, (config) => start(config).pipe(Effect.annotateLogs({ service: "leadq-worker", worker_id: config.worker_id })))
}) {}

const start = (config: WorkerSettings) =>
  Effect.gen(function*() {
    const [holdings, supervisor, nudges, dialer] = yield* Effect.all([Holdings, Supervisor, Nudges, Dialer])
    const [claims, recovery, finisher, marks, leases] = yield* Effect.all([ClaimLoop, Recovery, Finisher, ConnectedMarks, LeaseKeeper])
    yield* Effect.logInfo("worker starting", { ...describeSettings(config), dial_batch: dialer.dial_batch })
    yield* supervisor.start("wake-ups", nudges.forwardWakeups())
    yield* supervisor.start("finisher", finisher.run())
    yield* supervisor.start("connected marks", marks.run())
    yield* supervisor.start("lease keeper", leases.run())
    const dialing = yield* supervisor.start("dialer", dialer.run())
    const claiming = yield* supervisor.start("claim loop", claims.run())
    const sweeping = yield* supervisor.start("recovery", recovery.run())

    // Runs before the supervisor interrupts the loops (its scope closes after this one).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        yield* Fiber.interrupt(claiming)
        yield* Fiber.interrupt(sweeping)
        const inCalls = holdings.all().filter((h) => h.dial !== undefined).length
        yield* Effect.logInfo(`worker stopping: no new claims; ${inCalls} call(s) in progress get up to ${config.shutdown_grace_ms} ms`)
        yield* dialer.stop()
        // The batch being placed is placed whatever the grace: its calls are logged already.
        yield* Fiber.await(dialing)
        // Interruptible: a finalizer is not, and a timeout cannot stop what it cannot interrupt.
        const drained = config.shutdown_grace_ms > 0 && (yield* holdings.emptied.pipe(
          Effect.interruptible,
          Effect.timeoutTo({ duration: Duration.millis(config.shutdown_grace_ms), onSuccess: () => true, onTimeout: () => false })
        ))
        // Calls still going are left to recovery: their followers stop, their leases run out.
        const left = holdings.all()
        for (const held of left) if (held.follower !== undefined) yield* Fiber.interruptFork(held.follower)
        yield* Effect.logInfo(
          `worker stopped: ${yield* dialer.released} claim(s) given back` +
            (drained ? "" : `; ${left.length} call(s) still going are left to recovery when their lease runs out`)
        )
      })
    )
    return {
      /** Fails when any loop fails (`Supervisor`); runs as long as the worker does. */
      join: supervisor.join
    }
  })

/** Every service of the worker, on one set of `Holdings`: build it once per worker. */
const WorkerServices = Layer.mergeAll(ClaimLoop.Default, Recovery.Default).pipe(
  Layer.provideMerge(Dialer.Default),
  Layer.provideMerge(CallFollower.Default),
  Layer.provideMerge(Layer.mergeAll(Finisher.Default, ConnectedMarks.Default)),
  Layer.provideMerge(LeaseKeeper.Default),
  Layer.provideMerge(Layer.mergeAll(Holdings.Default, Nudges.Default, Supervisor.Default))
)

/**
 * The worker with the carrier and settings it is given (tests, embedding), for the life of the
 * layer. Building it returns once the loops run; `Worker.join` tells when one of them failed.
 */
export const WorkerRunner: Layer.Layer<Worker, never, WorkerConfig | Carrier | LeadQueue | QueueWakeups> = Worker.Default.pipe(
  Layer.provide(WorkerServices)
)

/**
 * The worker supervised: a layer that stays in its build while the worker runs and fails with
 * `WorkerLoopFailed` when a loop dies. Under `Layer.launch` and `NodeRuntime.runMain` that failure
 * ends the program with exit code 1 (the worker's shutdown runs first); merged with other layers
 * (`pnpm start`: `Layer.mergeAll(GatewayLive, WorkerLive)`, built side by side) it takes them down
 * too. Nothing can be provided *by* it: it outputs nothing.
 */
export const WorkerSupervised: Layer.Layer<never, WorkerLoopFailed, Worker> = Layer.scopedDiscard(Effect.flatMap(Worker, (w) => w.join))

/**
 * The worker as the apps compose it: settings from the environment (validated at start-up), the
 * carrier they select, supervised, and the store's services from below.
 */
export const WorkerLive: Layer.Layer<never, ConfigError.ConfigError | WorkerLoopFailed, LeadQueue | CarrierEvents | QueueWakeups> =
  WorkerSupervised.pipe(
    Layer.provide(WorkerRunner),
    Layer.provide(CarrierFromConfig),
    Layer.provide(WorkerConfigFromEnv)
  )
