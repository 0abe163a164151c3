import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ensureDemoOrganization, GatewayLive, LoggerLive } from "@leadq/gateway"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { WorkerLive } from "@leadq/worker"
import { Effect, Layer } from "effect"

/**
 * `pnpm start`: the embedded default. The gateway and one dialing worker in one process, sharing
 * one database connection (SQLite has one writer; `./data/leadq.db` unless `DATABASE_URL` says
 * otherwise). On first start it creates the demo organization and prints its API key. SIGTERM or
 * SIGINT: the gateway finishes the requests in flight, the worker stops claiming and lets its
 * calls finish (bounded), then the process exits.
 */
const ServerLive = Layer.mergeAll(GatewayLive, WorkerLive).pipe(
  Layer.provide(Layer.effectDiscard(ensureDemoOrganization)),
  Layer.provide(StoreLive),
  Layer.provide(DatabaseLive)
)

Layer.launch(ServerLive).pipe(
  Effect.tapErrorTag("ConfigError", (error) => Effect.logError(`Invalid configuration: ${error}`)),
  Effect.provide(LoggerLive),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
