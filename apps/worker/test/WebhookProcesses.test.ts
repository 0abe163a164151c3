import { describe, expect, it } from "@effect/vitest"
import { testEngines } from "@leadq/store/testing"
import { RECORD_BATCH } from "@leadq/webhooks"
import { appendEvents, deliveryStatuses, insertEndpoint, startReceiver } from "@leadq/webhooks/testing"
import { Duration, Effect } from "effect"
import { eventually } from "./fixtures.js"
import { spawnWorker, withDatabase, workerEnv } from "./WorkerProcess.js"

/**
 * The webhook dispatcher inside real worker processes (`node apps/worker/dist/main.js`): killed
 * with SIGKILL in the middle of a delivery, another process finishes the job and nothing is lost
 * (at least once: the event in flight may arrive twice, with the same id).
 */
const engines = await testEngines()

/** `check`'s value once `holds` says so (polled; the test fails after `timeoutMs`). */
const until = <A, E, R>(check: Effect.Effect<A, E, R>, holds: (a: A) => boolean, timeoutMs: number) =>
  eventually(Effect.filterOrDieMessage(check, holds, "not yet"), timeoutMs)

const dispatcherEnv = {
  LEADQ_WEBHOOK_POLL_INTERVAL_MS: "50",
  LEADQ_WEBHOOK_RETRY_BASE_MS: "50",
  LEADQ_WEBHOOK_RETRY_MAX_MS: "200",
  LEADQ_WEBHOOK_TIMEOUT_MS: "1000",
  LEADQ_WEBHOOK_LEASE_MS: "2000"
}

for (const engine of engines) {
  describe(`webhook dispatcher processes on ${engine}`, () => {
    it.live("kill -9 of the dispatcher mid-delivery loses nothing: a second process delivers every event, in order", () =>
      withDatabase(engine, ({ databaseUrl, ledger }) =>
        Effect.gen(function*() {
          // Each answer takes a while, so the kill lands while a request is in flight.
          const receiver = yield* startReceiver({ status: 200, delay_ms: 150 })
          const org = `org_kill_${engine}`
          const endpoint = yield* insertEndpoint({ organization_id: org, url: receiver.url("/k") })
          const events = yield* appendEvents(org, "lead.removed", 25)
          const first = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "w-killed", extra: dispatcherEnv }))
          yield* until(Effect.sync(() => receiver.received.length), (n) => n >= 5, 30_000)
          first.signal("SIGKILL")
          yield* Effect.promise(() => first.exited)
          const delivered = (yield* deliveryStatuses(endpoint.id)).filter((r) => r.status === "delivered").length
          expect(delivered).toBeLessThan(25)
          const second = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "w-second", extra: dispatcherEnv }))
          const rows = yield* until(
            deliveryStatuses(endpoint.id),
            (rows) => rows.length === 25 && rows.every((r) => r.status === "delivered"),
            60_000
          )
          expect(rows.map((r) => r.event_id)).toEqual(events.map((e) => e.id))
          // Every event arrived, first arrivals in order; copies only of what was sent but not yet
          // written down at the kill (attempts are written in batches of at most RECORD_BATCH).
          const got = receiver.received.map((r) => r.event_id)
          const firstArrivals = got.filter((id, i) => got.indexOf(id) === i)
          expect(firstArrivals).toEqual(events.map((e) => e.id))
          expect(got.length - firstArrivals.length).toBeLessThanOrEqual(RECORD_BATCH)
          yield* Effect.sleep(Duration.millis(200))
          expect(second.output()).toContain("webhook dispatcher starting")
        })), { timeout: 120_000 })
  })
}
