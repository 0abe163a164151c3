import { launchService } from "@leadq/runtime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Layer } from "effect"
import { WorkerLive } from "./Worker.js"
import { workerSettingsFromEnv } from "./WorkerConfig.js"

/**
 * `pnpm worker`: one dialing worker on the database named by `DATABASE_URL`, until SIGTERM or
 * SIGINT (then it stops claiming, gives back undialled claims and lets calls finish, bounded).
 * A bad setting stops the start, before the database is opened, with exit code 1 and a message
 * naming the variable.
 */
launchService("the worker", WorkerLive.pipe(Layer.provide(StoreLive), Layer.provide(DatabaseLive)), workerSettingsFromEnv)
