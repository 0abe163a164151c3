import { NodeRuntime } from "@effect/platform-node"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Layer } from "effect"
import { WorkerLive } from "./Worker.js"

/**
 * `pnpm worker`: one dialing worker on the database named by `DATABASE_URL`, until SIGTERM or
 * SIGINT (then it stops claiming, gives back undialled claims and lets calls finish, bounded).
 */
const MainLive = WorkerLive.pipe(Layer.provide(StoreLive), Layer.provide(DatabaseLive))

Layer.launch(MainLive).pipe(NodeRuntime.runMain)
