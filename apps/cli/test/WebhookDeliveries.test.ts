import type { SqlClient } from "@effect/sql"
import { afterAll, expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testGatewayLayer } from "@leadq/gateway/testing"
// eslint-disable-next-line @nx/enforce-module-boundaries
import { dispatcherSupervised, webhookSettings } from "@leadq/webhooks"
// eslint-disable-next-line @nx/enforce-module-boundaries
import { appendEvents, deliveryStatuses, insertEndpoint, startReceiver } from "@leadq/webhooks/testing"
import { Duration, Effect, Layer } from "effect"
import { jsonLines, removeTempDirs, runCli } from "./RunCli.js"

afterAll(removeTempDirs)

layer(testGatewayLayer("sqlite"), { excludeTestServices: true, timeout: 120_000 })("leadq webhooks deliveries|resend against a real gateway", (it) => {
  it.scoped("lists an endpoint's deliveries (table, --status, --json) and re-sends one", () =>
    Effect.gen(function*() {
      const gw = yield* TestGateway
      const env = { LEADQ_URL: gw.baseUrl, LEADQ_API_KEY: gw.apiKey }
      const receiver = yield* startReceiver()
      const endpoint = yield* insertEndpoint({ organization_id: gw.organizationId, url: receiver.url("/cli") })
      const events = yield* appendEvents(gw.organizationId, "call.ended", 2)
      yield* Effect.forkScoped(Layer.build(dispatcherSupervised(webhookSettings({
        webhook_poll_interval_ms: 20,
        webhook_lease_ms: 5_000,
        webhook_timeout_ms: 2_000
      })) as Layer.Layer<never, unknown, SqlClient.SqlClient>))
      while ((yield* deliveryStatuses(endpoint.id)).filter((r) => r.status === "delivered").length < 2) yield* Effect.sleep(Duration.millis(25))

      const table = yield* runCli(["webhooks", "deliveries", endpoint.id], { env })
      expect(table.code).toBe(0)
      expect(table.stdout).toMatch(/^DELIVERY\s+EVENT TYPE\s+EVENT\s+STATUS\s+ATTEMPTS\s+HTTP\s+WHEN\s+LAST ERROR\n/)
      expect(table.stdout).toMatch(new RegExp(`dlv_\\S+\\s+call\\.ended\\s+${events[1]!.id}\\s+delivered\\s+1\\s+200`))
      const json = yield* runCli(["webhooks", "deliveries", endpoint.id, "--status", "delivered", "--json"], { env })
      const rows = jsonLines(json.stdout)
      expect(rows.map((r) => r["event_id"])).toEqual([events[1]!.id, events[0]!.id])
      const none = yield* runCli(["webhooks", "deliveries", endpoint.id, "--status", "failed"], { env })
      expect(none.stdout).toContain("No deliveries.")

      const resent = yield* runCli(["webhooks", "resend", endpoint.id, String(rows[1]!["id"])], { env })
      expect(resent.code).toBe(0)
      expect(resent.stdout).toContain(`event ${events[0]!.id} (call.ended) is sent with the same id`)
      while (receiver.received.filter((r) => r.event_id === events[0]!.id).length < 2) yield* Effect.sleep(Duration.millis(25))

      const missing = yield* runCli(["webhooks", "resend", endpoint.id, "dlv_nothing"], { env })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("Delivery dlv_nothing not found")
      const foreign = yield* runCli(["webhooks", "deliveries", "wh_nothing"], { env })
      expect(foreign.code).toBe(1)
      expect(foreign.stderr).toContain("Webhook endpoint wh_nothing not found")
      const usage = yield* runCli(["webhooks", "deliveries", endpoint.id, "--status", "lost"], { env })
      expect(usage.code).toBe(2)
    }))
})
