import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as SqlClient from "@effect/sql/SqlClient"
import { Health, LeadqApi, Readiness, ServiceUnavailable } from "@leadq/api"
import { Database } from "@leadq/store"
import { Duration, Effect } from "effect"
import { GatewayMetrics } from "../GatewayMetrics.js"

const VERSION = "1.0.0"

/**
 * How long the readiness probe waits for the database. Short: a load balancer polls it every few
 * seconds, and a database that takes longer than this to answer `SELECT 1` cannot serve requests.
 */
const READY_TIMEOUT = Duration.seconds(2)

export const ServiceHandlers = HttpApiBuilder.group(LeadqApi, "service", (handlers) =>
  Effect.gen(function*() {
    const database = yield* Database
    const sql = yield* SqlClient.SqlClient
    const metrics = yield* GatewayMetrics
    const health = new Health({ ok: true, engine: database.engine, version: VERSION })
    const ready = new Readiness({ status: "ready" })
    // Liveness never touches the database (a restart would not bring it back); readiness does.
    const probe = sql`SELECT 1`.pipe(
      Effect.timeoutFail({ duration: READY_TIMEOUT, onTimeout: () => "no answer within 2 s" }),
      Effect.as(ready),
      Effect.catchAllCause((cause) =>
        Effect.zipRight(
          Effect.logWarning("readiness: the database is not answering", cause),
          Effect.fail(ServiceUnavailable.database)
        )
      ),
      Effect.withSpan("leadq/gateway/readiness")
    )
    return handlers
      .handle("health", () => Effect.succeed(health))
      .handle("ready", () => probe)
      .handle("metrics", () => Effect.sync(() => metrics.render()))
  }))
