import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { verifyLeadq } from "@leadq/domain"
import { testDatabaseLayer, testEngines } from "@leadq/store/testing"
import { Deferred, Duration, Effect, Either, Fiber } from "effect"
import { appendEvent, appendEvents, deliveryStatuses, insertEndpoint, startReceiver } from "../src/testing/index.js"
import { eventually, fastSettings, newOrg, runDispatcher } from "./support.js"

const engines = await testEngines()

const ids = (received: ReadonlyArray<{ readonly event_id: string }>) => received.map((r) => r.event_id)

for (const engine of engines) {
  layer(testDatabaseLayer(engine), { timeout: 120_000, excludeTestServices: true })(`webhook dispatcher on ${engine}`, (it) => {
    describe("delivery", () => {
      it.scoped("every committed event reaches its endpoint once, in commit order, signed, with its id in the body and a header", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver()
          const org = newOrg()
          const endpoint = yield* insertEndpoint({ organization_id: org, url: receiver.url("/a"), events: ["lead.removed", "call.ended"] })
          const events = yield* appendEvents(org, "lead.removed", 30, (i) => ({ lead_id: `lead_${i}`, reason: "opt-out" }))
          // Not subscribed, another organization's: never sent here.
          yield* appendEvent(org, "call.started", { call_log_id: "log_x" })
          yield* appendEvent(newOrg(), "lead.removed", { lead_id: "other" })
          yield* runDispatcher()
          const got = yield* eventually(Effect.sync(() => receiver.received.filter((r) => r.path === "/a")), (r) => r.length >= 30)
          const statuses = yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows.every((r) => r.status === "delivered"))
          expect(ids(got)).toEqual(events.map((e) => e.id))
          expect(statuses.map((r) => r.event_id)).toEqual(events.map((e) => e.id))
          const first = got[0]!
          const body = JSON.parse(first.body)
          expect(body).toEqual({ id: events[0]!.id, type: "lead.removed", created_at: expect.any(String), data: { lead_id: "lead_0", reason: "opt-out" } })
          expect(new Date(body.created_at).toISOString()).toBe(body.created_at)
          expect(first.event_type).toBe("lead.removed")
          // The signature verifies with the endpoint's secret, and not with another.
          expect(Either.isRight(verifyLeadq(endpoint.secret, first.body, first.signature, Date.now()))).toBe(true)
          expect(Either.isLeft(verifyLeadq("whsec_other", first.body, first.signature, Date.now()))).toBe(true)
          // Nothing more arrives: once each.
          yield* Effect.sleep(Duration.millis(300))
          expect(receiver.received.filter((r) => r.path === "/a")).toHaveLength(30)
        }))

      it.scoped("a rolled-back change produces nothing; an endpoint gets only events from its creation on", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const receiver = yield* startReceiver()
          const org = newOrg()
          yield* appendEvent(org, "lead.removed", { lead_id: "before" }, Date.now() - 60_000)
          yield* insertEndpoint({ organization_id: org, url: receiver.url("/rb") })
          yield* runDispatcher()
          let rolledBack = ""
          const aborted = yield* sql.withTransaction(
            Effect.flatMap(appendEvent(org, "lead.removed", { lead_id: "rolled-back" }), (e) => {
              rolledBack = e.id
              return Effect.fail("the change fails after its event was written" as const)
            })
          ).pipe(Effect.either)
          expect(Either.isLeft(aborted)).toBe(true)
          const committed = yield* appendEvent(org, "lead.removed", { lead_id: "committed" })
          yield* eventually(Effect.sync(() => receiver.received.length), (n) => n >= 1)
          yield* Effect.sleep(Duration.millis(300))
          expect(ids(receiver.received)).toEqual([committed.id])
          expect(rolledBack).toMatch(/^evt_/)
          expect(ids(receiver.received)).not.toContain(rolledBack)
        }))

      it.scoped("the receiver down for a while, then up: everything arrives, in order, each once", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver({ status: 503 })
          const org = newOrg()
          const endpoint = yield* insertEndpoint({ organization_id: org, url: receiver.url("/down") })
          yield* runDispatcher()
          const events = yield* appendEvents(org, "call.ended", 20)
          // Several attempts fail (503, then connections dropped) before it comes back.
          yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows.length === 20 && rows[0]!.attempts >= 3)
          receiver.setReply("down")
          yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows[0]!.attempts >= 5)
          expect(receiver.received).toHaveLength(0)
          receiver.setReply({ status: 204 })
          yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows.every((r) => r.status === "delivered"))
          expect(ids(receiver.received)).toEqual(events.map((e) => e.id))
        }))

      it.scoped("a delivery retried past its maximum age is failed, and the endpoint moves on to the next event", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver()
          const org = newOrg()
          const endpoint = yield* insertEndpoint({ organization_id: org, url: receiver.url("/age") })
          const [doomed, next] = yield* appendEvents(org, "lead.removed", 2)
          receiver.setReply((r) => (r.event_id === doomed!.id ? { status: 500 } : { status: 200 }))
          yield* runDispatcher(fastSettings({ webhook_max_age_ms: 3_000 }))
          const rows = yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows.length === 2 && rows[1]!.status === "delivered")
          expect(rows[0]).toMatchObject({ event_id: doomed!.id, status: "failed" })
          expect(rows[0]!.attempts).toBeGreaterThanOrEqual(2)
          expect(ids(receiver.received)).toEqual([next!.id])
        }))

      it.scoped("a receiver answering after 10 s holds its own endpoint only: the others are delivered meanwhile", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver()
          receiver.setReply((r) => (r.path === "/slow" ? { status: 200, delay_ms: 10_000 } : { status: 200 }))
          const org = newOrg()
          yield* insertEndpoint({ organization_id: org, url: receiver.url("/slow") })
          const fast = yield* Effect.all(["/f1", "/f2", "/f3"].map((path) => insertEndpoint({ organization_id: org, url: receiver.url(path) })))
          yield* runDispatcher(fastSettings({ webhook_timeout_ms: 15_000, webhook_lease_ms: 30_000 }))
          const events = yield* appendEvents(org, "lead.removed", 10)
          yield* eventually(Effect.sync(() => receiver.received.length), (n) => n >= 30)
          for (const path of ["/f1", "/f2", "/f3"]) {
            expect(ids(receiver.received.filter((r) => r.path === path))).toEqual(events.map((e) => e.id))
          }
          // The slow one has not answered its first event yet.
          expect(receiver.received.filter((r) => r.path === "/slow")).toHaveLength(0)
          expect(fast).toHaveLength(3)
        }))

      it.scoped("a disabled endpoint is sent nothing", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver()
          const org = newOrg()
          const off = yield* insertEndpoint({ organization_id: org, url: receiver.url("/off"), enabled: false })
          const on = yield* insertEndpoint({ organization_id: org, url: receiver.url("/on") })
          yield* runDispatcher()
          yield* appendEvents(org, "lead.removed", 3)
          yield* eventually(deliveryStatuses(on.id), (rows) => rows.length === 3 && rows.every((r) => r.status === "delivered"))
          expect(yield* deliveryStatuses(off.id)).toHaveLength(0)
          expect(receiver.received.filter((r) => r.path === "/off")).toHaveLength(0)
        }))
    })

    describe("several dispatchers", () => {
      it.scoped("two dispatchers never send one endpoint's events at once, and together deliver all, in order", () =>
        Effect.gen(function*() {
          const receiver = yield* startReceiver({ status: 200, delay_ms: 5 })
          const org = newOrg()
          const paths = ["/m1", "/m2", "/m3", "/m4", "/m5", "/m6"]
          const endpoints = yield* Effect.all(paths.map((path) => insertEndpoint({ organization_id: org, url: receiver.url(path) })))
          // A short lease and a poll that re-claims eagerly: the claim is what keeps them apart.
          const settings = fastSettings({ webhook_concurrency: 3, webhook_lease_ms: 4_000 })
          yield* runDispatcher(settings)
          yield* runDispatcher(settings)
          const events = yield* appendEvents(org, "lead.removed", 40)
          for (const endpoint of endpoints) {
            yield* eventually(deliveryStatuses(endpoint.id), (rows) => rows.length === 40 && rows.every((r) => r.status === "delivered"))
          }
          for (const path of paths) {
            expect(ids(receiver.received.filter((r) => r.path === path))).toEqual(events.map((e) => e.id))
            expect(receiver.maxConcurrent(path)).toBe(1)
          }
        }))
    })

    if (engine === "pg") {
      describe("commit order on PostgreSQL", () => {
        it.scoped("an event of a transaction still open holds back the events committed after it began, never skipped", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const receiver = yield* startReceiver()
            const org = newOrg()
            yield* insertEndpoint({ organization_id: org, url: receiver.url("/tx") })
            yield* runDispatcher()
            const gate = yield* Deferred.make<void>()
            const written = yield* Deferred.make<string>()
            // T1 takes its sequence number first and stays open.
            const t1 = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
              const e = yield* appendEvent(org, "lead.removed", { lead_id: "t1" })
              yield* Deferred.succeed(written, e.id)
              yield* Deferred.await(gate)
              return e
            })))
            const firstId = yield* Deferred.await(written)
            const second = yield* appendEvent(org, "lead.removed", { lead_id: "t2" })
            yield* Effect.sleep(Duration.millis(400))
            expect(receiver.received).toHaveLength(0)
            yield* Deferred.succeed(gate, undefined)
            yield* Fiber.join(t1)
            yield* eventually(Effect.sync(() => receiver.received.length), (n) => n >= 2)
            expect(ids(receiver.received)).toEqual([firstId, second.id])
          }))
      })
    }
  })
}
