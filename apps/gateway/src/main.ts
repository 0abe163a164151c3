import { NodeRuntime } from "@effect/platform-node"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Effect, Layer } from "effect"
import { ensureDemoOrganization } from "./DemoOrganization.js"
import { GatewayLive } from "./Gateway.js"
import { LoggerLive } from "./Logging.js"

/**
 * `pnpm gateway`: the gateway alone, on the database named by `DATABASE_URL` (the embedded
 * SQLite file by default). SIGTERM or SIGINT stops accepting connections, lets requests in
 * flight finish, closes the database and exits 0.
 */
const MainLive = GatewayLive.pipe(
  Layer.provide(Layer.effectDiscard(ensureDemoOrganization)),
  Layer.provide(StoreLive),
  Layer.provide(DatabaseLive)
)

Layer.launch(MainLive).pipe(
  Effect.tapErrorTag("ConfigError", (error) => Effect.logError(`Invalid configuration: ${error}`)),
  Effect.provide(LoggerLive),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
