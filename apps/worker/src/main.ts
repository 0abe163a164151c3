import { launchService } from "@leadq/runtime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { webhookSettingsFromEnv, WebhooksLive } from "@leadq/webhooks"
import { Effect, Layer } from "effect"
import { WorkerLive } from "./Worker.js"
import { workerSettingsFromEnv } from "./WorkerConfig.js"

/**
 * `pnpm worker`: one dialing worker on the database named by `DATABASE_URL`, until SIGTERM or
 * SIGINT (then it stops claiming, gives back undialled claims and lets calls finish, bounded),
 * and beside it the webhook dispatcher (docs/webhooks.md; `LEADQ_WEBHOOKS=false` turns it off).
 * Either one's loop dying stops the process (exit 1). A bad setting stops the start, before the
 * database is opened, with exit code 1 and a message naming the variable.
 */
launchService(
  "the worker",
  Layer.mergeAll(WorkerLive, WebhooksLive).pipe(Layer.provide(StoreLive), Layer.provide(DatabaseLive)),
  Effect.validate(workerSettingsFromEnv, webhookSettingsFromEnv)
)
