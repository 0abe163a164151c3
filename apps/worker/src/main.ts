import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Effect, Layer } from "effect"
import { WorkerLoggerLive } from "./Logging.js"
import { WorkerLive } from "./Worker.js"

/**
 * `pnpm worker`: one dialing worker on the database named by `DATABASE_URL`, until SIGTERM or
 * SIGINT (then it stops claiming, gives back undialled claims and lets calls finish, bounded).
 * A bad setting stops the start with exit code 1 and a message naming the variable.
 */
const MainLive = WorkerLive.pipe(Layer.provide(StoreLive), Layer.provide(DatabaseLive))

Layer.launch(MainLive).pipe(
  Effect.tapErrorTag("ConfigError", (error) => Effect.logError(`Invalid configuration: ${error}`)),
  Effect.provide(WorkerLoggerLive),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
