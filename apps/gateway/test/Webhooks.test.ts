import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { randomToken } from "@leadq/domain"
import { Effect } from "effect"
import type { TestGatewayInfo } from "../src/testing/index.js"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import type { Json } from "./support.js"
import { addLead, call, createCampaign, expectFailure, expectStatus } from "./support.js"

/**
 * `/v1/webhooks` over real HTTP (docs/api.md, "Webhook endpoints"): create (the secret in this
 * answer only), list, get, update, delete; bad input answered 400 in the envelope with nothing
 * written; another organization's endpoint is a 404; the POST honours Idempotency-Key. And the
 * events the gateway's changes leave in the outbox.
 */
const engines = await testEngines()

const newOrg = (gw: TestGatewayInfo) => gw.newOrganization(`webhooks-${randomToken(10)}`)

const endpointRows = (org: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<Record<string, unknown>>`SELECT * FROM webhook_endpoints WHERE organization_id = ${org}`)
    .pipe(Effect.orDie)

const outboxTypes = (org: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ type: string; payload: string }>`SELECT type, payload FROM outbox_events WHERE organization_id = ${org} ORDER BY seq`)
    .pipe(Effect.orDie)

const body = { url: "https://crm.example.com/leadq", events: ["lead.removed", "call.ended"], description: "CRM opt-outs" }

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`webhook endpoints over HTTP on ${engine}`, (it) => {
    describe("/v1/webhooks", () => {
      it.effect("create (201, with its secret), get, list, update, delete (soft), then 404", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const created = expectStatus(yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body }), 201)
          expect(created).toMatchObject({ ...body, enabled: true, api_key_id: org.apiKeyId })
          expect(created.id).toMatch(/^wh_[0-9a-hjkmnp-tv-z]{24}$/)
          expect(created.secret).toMatch(/^whsec_[0-9a-hjkmnp-tv-z]{32}$/)
          const [row] = yield* endpointRows(org.organizationId)
          expect(row).toMatchObject({ secret: created.secret, url: body.url, description: body.description, deleted_at: null })
          expect(JSON.parse(row!["events"] as string)).toEqual(body.events)
          expect(Number(row!["enabled"])).toBe(1)

          // The secret is in the creation's answer only.
          const got = expectStatus(yield* call(gw, "GET", `/v1/webhooks/${created.id}`, { key: org.apiKey }), 200)
          const { secret: _secret, ...withoutSecret } = created
          expect(got).toEqual(withoutSecret)
          const second = expectStatus(
            yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body: { url: "http://127.0.0.1:9/x", events: ["campaign.status_changed"], enabled: false } }),
            201
          )
          expect(second).toMatchObject({ enabled: false, description: null })
          const page = expectStatus(yield* call(gw, "GET", "/v1/webhooks?limit=1", { key: org.apiKey }), 200)
          expect(page.meta).toEqual({ page: 1, limit: 1, total: 2, totalPages: 2 })
          expect(page.data).toEqual([withoutSecret])
          const page2 = expectStatus(yield* call(gw, "GET", "/v1/webhooks?limit=1&page=2", { key: org.apiKey }), 200)
          expect(page2.data.map((e: Json) => e.id)).toEqual([second.id])
          expect(page2.data[0].secret).toBeUndefined()

          const updated = expectStatus(
            yield* call(gw, "PATCH", `/v1/webhooks/${created.id}`, {
              key: org.apiKey,
              body: { events: ["lead.suppressed"], enabled: false, description: null }
            }),
            200
          )
          expect(updated).toMatchObject({ id: created.id, url: body.url, events: ["lead.suppressed"], enabled: false, description: null })
          expect(updated.secret).toBeUndefined()
          const moved = expectStatus(yield* call(gw, "PATCH", `/v1/webhooks/${created.id}`, { key: org.apiKey, body: { url: "https://new.example.com/h" } }), 200)
          expect(moved).toMatchObject({ url: "https://new.example.com/h", events: ["lead.suppressed"], enabled: false })

          const deleted = expectStatus(yield* call(gw, "DELETE", `/v1/webhooks/${created.id}`, { key: org.apiKey }), 200)
          expect(deleted).toMatchObject({ message: "Webhook endpoint deleted.", id: created.id })
          expectFailure(yield* call(gw, "GET", `/v1/webhooks/${created.id}`, { key: org.apiKey }), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "DELETE", `/v1/webhooks/${created.id}`, { key: org.apiKey }), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "PATCH", `/v1/webhooks/${created.id}`, { key: org.apiKey, body: { enabled: true } }), 404, "WebhookEndpointNotFound")
          const after = expectStatus(yield* call(gw, "GET", "/v1/webhooks", { key: org.apiKey }), 200)
          expect(after.data.map((e: Json) => e.id)).toEqual([second.id])
          // Soft: the row stays, stamped.
          const rows = yield* endpointRows(org.organizationId)
          expect(rows.find((r) => r["id"] === created.id)!["deleted_at"]).not.toBeNull()
        }))

      it.effect("bad input is a 400 envelope naming the problem, and writes nothing", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const bad = (payload: unknown, problem: RegExp) =>
            Effect.gen(function*() {
              const error = expectFailure(yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body: payload }), 400, "InvalidInput")
              expect((error.message as Array<string>).join("\n")).toMatch(problem)
            })
          yield* bad({ ...body, url: "ftp://crm.example.com/x" }, /url: must be an http or https URL/)
          yield* bad({ ...body, url: "not a url" }, /url: must be an absolute http or https URL/)
          yield* bad({ ...body, url: "https://user:pw@crm.example.com/x" }, /url: must not contain credentials/)
          yield* bad({ ...body, url: `https://crm.example.com/${"x".repeat(2050)}` }, /url: must be at most 2048 characters/)
          yield* bad({ ...body, events: ["lead.exploded"] }, /events\.0: must be one of lead\.removed/)
          yield* bad({ ...body, events: [] }, /events: must name at least one event type/)
          yield* bad({ ...body, events: ["call.ended", "call.ended"] }, /events: names call\.ended twice/)
          yield* bad({ ...body, secret: "mine" }, /secret: is not a known field/)
          yield* bad({ events: body.events }, /url: is required/)
          yield* bad({ ...body, description: "x".repeat(501) }, /description: must be at most 500 characters/)
          expect(yield* endpointRows(org.organizationId)).toEqual([])

          const created = expectStatus(yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body }), 201)
          const badPatch = (payload: unknown, problem: RegExp) =>
            Effect.gen(function*() {
              const error = expectFailure(yield* call(gw, "PATCH", `/v1/webhooks/${created.id}`, { key: org.apiKey, body: payload }), 400, "InvalidInput")
              expect((error.message as Array<string>).join("\n")).toMatch(problem)
            })
          yield* badPatch({}, /send at least one of url, events, description, enabled/)
          yield* badPatch({ events: ["nope"] }, /events\.0: must be one of/)
          yield* badPatch({ url: "javascript:alert(1)" }, /url: must be an http or https URL/)
          yield* badPatch({ colour: "red" }, /colour: is not a known field/)
          expectFailure(yield* call(gw, "GET", "/v1/webhooks/not%20an%20id", { key: org.apiKey }), 400, "InvalidInput")
          expectFailure(yield* call(gw, "GET", "/v1/webhooks?limit=500", { key: org.apiKey }), 400, "InvalidInput")
          const [row] = yield* endpointRows(org.organizationId)
          expect(row).toMatchObject({ url: body.url, description: body.description })
        }))

      it.effect("another organization's endpoint is a 404 on every method, and unauthenticated calls a 401", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const owner = yield* newOrg(gw)
          const other = yield* newOrg(gw)
          const created = expectStatus(yield* call(gw, "POST", "/v1/webhooks", { key: owner.apiKey, body }), 201)
          const path = `/v1/webhooks/${created.id}`
          expectFailure(yield* call(gw, "GET", path, { key: other.apiKey }), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "PATCH", path, { key: other.apiKey, body: { enabled: false } }), 404, "WebhookEndpointNotFound")
          expectFailure(yield* call(gw, "DELETE", path, { key: other.apiKey }), 404, "WebhookEndpointNotFound")
          expect(expectStatus(yield* call(gw, "GET", "/v1/webhooks", { key: other.apiKey }), 200).data).toEqual([])
          expectFailure(yield* call(gw, "GET", "/v1/webhooks", { key: null }), 401, "Unauthorized")
          expect(expectStatus(yield* call(gw, "GET", path, { key: owner.apiKey }), 200)).toMatchObject({ enabled: true })
        }))

      it.effect("POST honours Idempotency-Key: the same request answers the same endpoint (and secret), one row", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const headers = { "idempotency-key": `wh-${randomToken(12)}` }
          const first = yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body, headers })
          const again = yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body, headers })
          expect(expectStatus(first, 201)).toEqual(expectStatus(again, 201))
          expect(again.headers.get("idempotent-replayed")).toBe("true")
          expect(yield* endpointRows(org.organizationId)).toHaveLength(1)
          expectFailure(
            yield* call(gw, "POST", "/v1/webhooks", { key: org.apiKey, body: { ...body, description: "other" }, headers }),
            422,
            "IdempotencyKeyReused"
          )
        }))
    })

    describe("events of the gateway's changes", () => {
      it.effect("a removal over HTTP leaves exactly its lead.removed in the outbox (and the completion it caused), a failed one none", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
          const lead = yield* addLead(gw, campaign.id, org.apiKey)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}?reason=opt-out`, { key: org.apiKey }), 200)
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey }), 404, "LeadNotFound")
          const events = yield* outboxTypes(org.organizationId)
          // Its campaign's only lead: the removal drained it, and the completion has its own event.
          expect(events.map((e) => e.type)).toEqual(["lead.removed", "campaign.status_changed"])
          expect(JSON.parse(events[0]!.payload)).toMatchObject({ lead_id: lead.id, reason: "opt-out", api_key_id: org.apiKeyId, removed_from: "pending" })
        }))
    })
  })
}
