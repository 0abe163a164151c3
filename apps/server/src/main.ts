import { ensureDemoOrganization, GatewayLive, gatewaySettingsAtStart } from "@leadq/gateway"
import { launchService } from "@leadq/runtime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { webhookSettingsFromEnv, WebhooksLive } from "@leadq/webhooks"
import { WorkerLive, workerSettingsFromEnv } from "@leadq/worker"
import { Effect, Layer } from "effect"

/**
 * `pnpm start`: the embedded default. The gateway and one dialing worker in one process, sharing
 * one database connection (SQLite has one writer; `./data/leadq.db` unless `DATABASE_URL` says
 * otherwise). On first start it creates the demo organization and prints its API key. SIGTERM or
 * SIGINT: the gateway finishes the requests in flight, the worker stops claiming and lets its
 * calls finish (bounded), then the process exits. The webhook dispatcher runs beside them
 * (docs/webhooks.md; `LEADQ_WEBHOOKS=false` turns it off). The settings of all three are checked
 * first, and every bad one reported, before the database is opened.
 */
const ServerLive = Layer.mergeAll(GatewayLive, WorkerLive, WebhooksLive).pipe(
  Layer.provide(Layer.effectDiscard(ensureDemoOrganization)),
  Layer.provide(StoreLive),
  Layer.provide(DatabaseLive)
)

launchService(
  "leadq (gateway and worker)",
  ServerLive,
  Effect.validate(Effect.validate(gatewaySettingsAtStart, workerSettingsFromEnv), webhookSettingsFromEnv),
  { leanHeap: true }
)
