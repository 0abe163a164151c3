import { HttpApiBuilder } from "@effect/platform"
import { Health, LeadqApi } from "@leadq/api"
import { Database } from "@leadq/store"
import { Effect } from "effect"
import { GatewayMetrics } from "../GatewayMetrics.js"

const VERSION = "1.0.0"

export const ServiceHandlers = HttpApiBuilder.group(LeadqApi, "service", (handlers) =>
  Effect.gen(function*() {
    const database = yield* Database
    const metrics = yield* GatewayMetrics
    const health = new Health({ ok: true, engine: database.engine, version: VERSION })
    return handlers
      .handle("health", () => Effect.succeed(health))
      .handle("metrics", () => Effect.sync(() => metrics.render()))
  }))
