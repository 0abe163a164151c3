import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Cause, Effect, Layer, Option } from "effect"
import { ensureDemoOrganization } from "./DemoOrganization.js"
import { GatewayServerLive } from "./Gateway.js"
import { GatewayConfig } from "./GatewayConfig.js"
import { LoggerLive } from "./Logging.js"

/**
 * `pnpm gateway`: the gateway alone, on the database named by `DATABASE_URL` (the embedded
 * SQLite file by default). The settings are read and checked first, before the database is
 * touched. SIGTERM or SIGINT stops accepting connections, lets requests in flight finish, closes
 * the database and exits 0.
 */
const MainLive = GatewayServerLive.pipe(
  Layer.provide(Layer.effectDiscard(ensureDemoOrganization)),
  Layer.provide(StoreLive),
  Layer.provide(DatabaseLive),
  Layer.provide(GatewayConfig.fromEnv)
)

Layer.launch(MainLive).pipe(
  Effect.tapErrorCause((cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.void
    const failure = Cause.failureOption(cause)
    return Option.isSome(failure) && failure.value._tag === "ConfigError"
      ? Effect.logError(`Invalid configuration: ${failure.value}`)
      : Effect.logError("The gateway stopped on an error", cause)
  }),
  Effect.provide(LoggerLive),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
