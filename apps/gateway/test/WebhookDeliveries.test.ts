import type { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { dispatcherSupervised, webhookSettings } from "@leadq/webhooks"
import { appendEvents, deliveryStatuses, insertEndpoint, startReceiver } from "@leadq/webhooks/testing"
import { Duration, Effect, Layer } from "effect"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { call, expectFailure } from "./support.js"

const engines = await testEngines()

/** Polls `check` until `holds` (the test fails after 30 s). */
const until = <A, E, R>(check: Effect.Effect<A, E, R>, holds: (a: A) => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 30_000
    while (true) {
      const value = yield* check
      if (holds(value)) return value
      if (Date.now() > deadline) return yield* Effect.dieMessage(`not reached: ${JSON.stringify(value)}`)
      yield* Effect.sleep(Duration.millis(25))
    }
  })

/** A dispatcher for the rest of the test, on the gateway's database; fast retries, a short life. */
const dispatching = Effect.forkScoped(Layer.build(dispatcherSupervised(webhookSettings({
  webhook_poll_interval_ms: 20,
  webhook_retry_base_ms: 20,
  webhook_retry_max_ms: 100,
  webhook_timeout_ms: 2_000,
  webhook_lease_ms: 5_000,
  webhook_max_age_ms: 300
})) as Layer.Layer<never, unknown, SqlClient.SqlClient>))

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`webhook deliveries API on ${engine}`, (it) => {
    describe("GET /v1/webhooks/{id}/deliveries and the re-send", () => {
      it.scoped("lists an endpoint's deliveries newest first, filters by status, and a re-send delivers the same event id again", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const receiver = yield* startReceiver()
          const endpoint = yield* insertEndpoint({ organization_id: gw.organizationId, url: receiver.url("/api") })
          const events = yield* appendEvents(gw.organizationId, "lead.removed", 3)
          // The last event is refused until its short life runs out: it ends `failed`.
          let refuse = true
          receiver.setReply((r) => (refuse && r.event_id === events[2]!.id ? { status: 500 } : { status: 200 }))
          yield* dispatching
          yield* until(deliveryStatuses(endpoint.id), (rows) => rows.length === 3 && rows.every((r) => r.status !== "pending"))

          const all = yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries`)
          expect(all.status).toBe(200)
          const body = all.json as { data: Array<Record<string, unknown>>; meta: Record<string, unknown> }
          expect(body.meta).toEqual({ page: 1, limit: 20, total: 3, totalPages: 1 })
          expect(body.data.map((d) => d["event_id"])).toEqual([events[2]!.id, events[1]!.id, events[0]!.id])
          expect(body.data[0]).toMatchObject({ webhook_id: endpoint.id, event_type: "lead.removed", status: "failed", response_status: 500, next_attempt_at: null })
          expect(body.data[1]).toMatchObject({ status: "delivered", attempts: 1, response_status: 200, last_error: null })

          const failed = yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries?status=failed&limit=1`)
          expect((failed.json as { data: Array<{ id: string }> }).data).toHaveLength(1)
          const failedId = (failed.json as { data: Array<{ id: string }> }).data[0]!.id
          const paged = yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries?page=2&limit=2`)
          expect((paged.json as { data: Array<unknown> }).data).toHaveLength(1)

          // Re-send the failed one once the receiver takes it: pending at once, then delivered.
          refuse = false
          const resent = yield* call(gw, "POST", `/v1/webhooks/${endpoint.id}/deliveries/${failedId}/resend`)
          expect(resent.status).toBe(202)
          expect(resent.json).toMatchObject({ id: failedId, event_id: events[2]!.id, status: "pending", completed_at: null })
          yield* until(deliveryStatuses(endpoint.id), (rows) => rows.every((r) => r.status === "delivered"))
          // Re-send one already delivered: the receiver gets the same event id a second time.
          const deliveredId = body.data[2]!["id"] as string
          expect((yield* call(gw, "POST", `/v1/webhooks/${endpoint.id}/deliveries/${deliveredId}/resend`)).status).toBe(202)
          yield* until(Effect.sync(() => receiver.received.filter((r) => r.event_id === events[0]!.id).length), (n) => n === 2)
          const copies = receiver.received.filter((r) => r.event_id === events[0]!.id)
          expect(JSON.parse(copies[1]!.body).id).toBe(events[0]!.id)
        }))

      it.effect("another organization's endpoint, an unknown one or an unknown delivery is a 404; a bad filter a 400", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const other = yield* gw.newOrganization()
          const endpoint = yield* insertEndpoint({ organization_id: other.organizationId, url: "http://127.0.0.1:9/x" })
          expectFailure(yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries`), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "POST", `/v1/webhooks/${endpoint.id}/deliveries/dlv_x/resend`), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "GET", `/v1/webhooks/wh_nothing/deliveries`), 404, "WebhookEndpointNotFound")
          const own = yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries`, { key: other.apiKey })
          expect(own.status).toBe(200)
          expectFailure(yield* call(gw, "POST", `/v1/webhooks/${endpoint.id}/deliveries/dlv_nothing/resend`, { key: other.apiKey }), 404, "WebhookDeliveryNotFound")
          expectFailure(yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries?status=lost`, { key: other.apiKey }), 400, "InvalidInput")
          expectFailure(yield* call(gw, "GET", `/v1/webhooks/${endpoint.id}/deliveries`, { key: null }), 401, "Unauthorized")
        }))
    })
  })
}
