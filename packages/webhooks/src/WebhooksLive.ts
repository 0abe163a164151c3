import type * as SqlClient from "@effect/sql/SqlClient"
import type { ConfigError } from "effect"
import { Effect, Layer } from "effect"
import type { DispatcherLoopFailed } from "./Dispatcher.js"
import { dispatcherSupervised } from "./Dispatcher.js"
import { webhookSettingsFromEnv } from "./WebhookSettings.js"

/**
 * The dispatcher as the apps compose it (the worker process, `pnpm start`): settings from the
 * environment, supervised, on the process's one database.
 */
export const WebhooksLive: Layer.Layer<never, ConfigError.ConfigError | DispatcherLoopFailed, SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(webhookSettingsFromEnv, dispatcherSupervised)
)
