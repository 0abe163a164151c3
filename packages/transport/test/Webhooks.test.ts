import { expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testEngines, testGatewayLayer } from "@leadq/gateway/testing"
import { WebhookEndpointCreated, WebhookEndpointNotFound } from "@leadq/domain"
import { Effect, Redacted } from "effect"
import { LeadqClient } from "../src/index.js"

const engines = await testEngines()

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`the typed webhooks client on ${engine}`, (it) => {
    it.effect("create, get, update, list, remove; a deleted endpoint is a typed WebhookEndpointNotFound", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const org = yield* gw.newOrganization()
        const client = LeadqClient.layer({ baseUrl: gw.baseUrl, apiKey: Redacted.make(org.apiKey), retry: { baseDelay: 10 } })
        yield* Effect.provide(
          Effect.gen(function*() {
            const leadq = yield* LeadqClient
            const created = yield* leadq.webhooks.create({ payload: { url: "https://crm.example.com/c", events: ["call.started"] } })
            expect(created).toBeInstanceOf(WebhookEndpointCreated)
            expect(created.secret.startsWith("whsec_")).toBe(true)
            const got = yield* leadq.webhooks.get({ path: { id: created.id } })
            expect(got.events).toEqual(["call.started"])
            expect("secret" in got).toBe(false)
            const updated = yield* leadq.webhooks.update({ path: { id: created.id }, payload: { enabled: false, description: "paused" } })
            expect([updated.enabled, updated.description]).toEqual([false, "paused"])
            const list = yield* leadq.webhooks.list({ urlParams: {} })
            expect(list.data.map((e) => e.id)).toEqual([created.id])
            const deleted = yield* leadq.webhooks.remove({ path: { id: created.id } })
            expect(deleted.id).toBe(created.id)
            const error = yield* Effect.flip(leadq.webhooks.get({ path: { id: created.id } }))
            expect(error).toBeInstanceOf(WebhookEndpointNotFound)
          }),
          client
        )
      }))
  })
}
