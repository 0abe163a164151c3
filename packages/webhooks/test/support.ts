import type { SqlClient } from "@effect/sql"
import { randomToken } from "@leadq/domain"
import { Duration, Effect, Layer } from "effect"
import type { WebhookSettings } from "../src/index.js"
import { dispatcherSupervised, webhookSettings } from "../src/index.js"

/** Fast settings for tests: retries in tens of milliseconds, a short poll. */
export const fastSettings = (overrides: Partial<WebhookSettings> = {}) =>
  webhookSettings({
    webhook_poll_interval_ms: 20,
    webhook_retry_base_ms: 20,
    webhook_retry_max_ms: 200,
    webhook_timeout_ms: 2_000,
    webhook_lease_ms: 5_000,
    ...overrides
  })

/** A dispatcher running for the rest of the enclosing scope, on the suite's database. */
export const runDispatcher = (settings: WebhookSettings = fastSettings()) =>
  Effect.gen(function*() {
    const built = Layer.build(dispatcherSupervised(settings) as Layer.Layer<never, unknown, SqlClient.SqlClient>)
    // The supervised layer stays in its build while the dispatcher runs: run it on a fiber of the scope.
    yield* Effect.forkScoped(built)
  })

export const newOrg = () => `org_${randomToken()}`

/** Polls `check` until it holds (or fails the test after `timeout_ms`). */
export const eventually = <A, E, R>(check: Effect.Effect<A, E, R>, holds: (a: A) => boolean, timeout_ms = 30_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeout_ms
    while (true) {
      const value = yield* check
      if (holds(value)) return value
      if (Date.now() > deadline) return yield* Effect.dieMessage(`condition not met within ${timeout_ms} ms: ${JSON.stringify(value)}`)
      yield* Effect.sleep(Duration.millis(25))
    }
  })
