import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { ConfigError } from "effect"
import { Effect, Layer } from "effect"
import { limitHeapGrowth } from "./HeapGrowth.js"
import { LoggingLive } from "./Logging.js"
import { reportStop } from "./StartupFailure.js"

/**
 * The whole `main` of a leadq process: checks the service's `settings` first — a bad value stops
 * the start before anything is built (no database opened or migrated) — then runs its layer until
 * SIGTERM or SIGINT, which release it in order and exit 0. Logs through `LoggingLive`. A failure
 * is reported once by `reportStop` (bad settings as one `Invalid configuration: …` line) and exits
 * 1. The layer reads its settings again as it builds: reading them is cheap, and this way no
 * layer has to be written around a check.
 *
 * `leanHeap`: the old space grows by half, not fourfold, between full collections
 * (`limitHeapGrowth`): for the processes that serve requests (the gateway, `pnpm start`), where a
 * memory budget is set; the worker keeps V8's default and the ~5% of CPU it saves.
 */
export const launchService = <E>(
  service: string,
  layer: Layer.Layer<never, E>,
  settings: Effect.Effect<unknown, ConfigError.ConfigError> = Effect.void,
  options?: { readonly leanHeap?: boolean }
): void =>
  (options?.leanHeap === true ? limitHeapGrowth : Effect.void).pipe(
    Effect.zipRight(settings),
    Effect.zipRight(Layer.launch(layer)),
    Effect.tapErrorCause(reportStop(service)),
    Effect.provide(LoggingLive),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )
