import { launchService } from "@leadq/runtime"
import { DatabaseLive, StoreLive } from "@leadq/store"
import { Layer } from "effect"
import { ensureDemoOrganization } from "./DemoOrganization.js"
import { GatewayServerLive } from "./Gateway.js"
import { GatewayConfig, gatewaySettingsAtStart } from "./GatewayConfig.js"

/**
 * `pnpm gateway`: the gateway alone, on the database named by `DATABASE_URL` (the embedded
 * SQLite file by default). The settings are read and checked first (a former name in use is
 * warned about then), before the database is touched. SIGTERM or SIGINT stops accepting connections, lets requests in flight finish, closes
 * the database and exits 0.
 */
const MainLive = GatewayServerLive.pipe(
  Layer.provide(Layer.effectDiscard(ensureDemoOrganization)),
  Layer.provide(StoreLive),
  Layer.provide(DatabaseLive),
  Layer.provide(GatewayConfig.fromEnv)
)

launchService("the gateway", MainLive, gatewaySettingsAtStart, { leanHeap: true })
