import { HttpServerRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AuthRateLimiter } from "../src/AuthRateLimiter.js"
import { GatewayConfig } from "../src/GatewayConfig.js"
import { GatewayMetrics } from "../src/GatewayMetrics.js"
import { makeRemovalRoute, REMOVAL_ROUTE } from "../src/RemovalRoute.js"
import type { TestGatewayInfo } from "../src/testing/index.js"
import { startTestGateway, testEngines } from "../src/testing/index.js"
import { addLead, call, createCampaign, expectStatus } from "./support.js"

/**
 * `DELETE /v1/campaigns-leads/{id}` is served ahead of the router (src/RemovalRoute.ts). Two
 * gateways, one with that route and one without it (every removal through the router), get the
 * same staged data and the same requests — plain, with reasons in every encoding, repeated and
 * unknown parameters, malformed ids, missing, malformed and wrong keys, another organization's
 * lead, a cancelled campaign, a locked-out key — and must answer each one identically, and write
 * the same audit records.
 */
const engines = await testEngines()

/** What one gateway holds, by role; the ids differ between the two gateways, the roles do not. */
const stage = (gw: TestGatewayInfo) =>
  Effect.gen(function*() {
    const campaign = yield* createCampaign(gw)
    const roles: Record<string, string> = { campaign: campaign.id }
    for (let i = 1; i <= 8; i++) roles[`lead${i}`] = (yield* addLead(gw, campaign.id)).id
    const closed = yield* createCampaign(gw)
    roles["closedCampaign"] = closed.id
    roles["closedLead"] = (yield* addLead(gw, closed.id)).id
    expectStatus(yield* call(gw, "POST", `/v1/campaigns/${closed.id}/cancel`), 200)
    const other = yield* gw.newOrganization()
    const foreignCampaign = yield* createCampaign(gw, other.apiKey)
    roles["foreignLead"] = (yield* addLead(gw, foreignCampaign.id, other.apiKey)).id
    roles["key"] = gw.apiKey
    roles["otherKey"] = other.apiKey
    roles["otherKeyWrongSecret"] = other.apiKey.replace(/_[^_]+$/, `_${"x".repeat(32)}`)
    return roles
  })

interface Step {
  readonly path: string
  /** Sent as the Authorization header; `{key}` and the like name a role. Default: `Bearer {key}`. */
  readonly authorization?: string | null
}

const steps: ReadonlyArray<Step> = [
  { path: "/v1/campaigns-leads/{lead1}" },
  { path: "/v1/campaigns-leads/{lead1}" }, // already removed
  { path: "/v1/campaigns-leads/{lead2}?reason=asked+by+phone" },
  { path: "/v1/campaigns-leads/{lead3}?reason=%E2%9C%93%20do%20not%20call%3Dever" },
  { path: "/v1/campaigns-leads/{lead4}?reason=" },
  { path: "/v1/campaigns-leads/{lead4}?reason=a&reason=b" },
  { path: `/v1/campaigns-leads/{lead4}?reason=${"r".repeat(501)}` },
  { path: "/v1/campaigns-leads/{lead4}?reason=%ZZ%" },
  { path: "/v1/campaigns-leads/{lead4}?unknown=1&reason=data+fix" },
  { path: "/v1/campaigns-leads/{lead5}?reason=a=b&&x" },
  { path: "/v1/campaigns-leads/lead_doesnotexist0000000000" },
  { path: "/v1/campaigns-leads/not-a-lead-id" },
  { path: `/v1/campaigns-leads/${"a".repeat(65)}` },
  { path: "/v1/campaigns-leads/{lead6}/" },
  { path: "/v1/campaigns-leads/lead%5Fx" },
  { path: "/v1/campaigns-leads/{foreignLead}" },
  { path: "/v1/campaigns-leads/{closedLead}" },
  { path: "/v1/campaigns-leads/{lead6}", authorization: null },
  { path: "/v1/campaigns-leads/{lead6}", authorization: "" },
  { path: "/v1/campaigns-leads/{lead6}", authorization: "Basic {key}" },
  { path: "/v1/campaigns-leads/{lead6}", authorization: "Bearer lq_nothing" },
  { path: "/v1/campaigns-leads/{lead6}", authorization: "Bearer   {key}  " },
  // The brute-force limit (3 failures per key id here): the fourth attempt is refused with 429,
  // and so is the right secret of that key id after it.
  { path: "/v1/campaigns-leads/{lead7}", authorization: "Bearer {otherKeyWrongSecret}" },
  { path: "/v1/campaigns-leads/{lead7}", authorization: "Bearer {otherKeyWrongSecret}" },
  { path: "/v1/campaigns-leads/{lead7}", authorization: "Bearer {otherKeyWrongSecret}" },
  { path: "/v1/campaigns-leads/{lead7}", authorization: "Bearer {otherKeyWrongSecret}" },
  { path: "/v1/campaigns-leads/{foreignLead}", authorization: "Bearer {otherKey}" },
  { path: "/v1/campaigns-leads/{lead8}?reason=last" }
]

const fill = (template: string, roles: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, role: string) => roles[role]!)

/** A reply with this gateway's ids put back to their roles, and what varies by nature left out. */
const normalized = (status: number, headers: Headers, text: string, roles: Record<string, string>) => {
  let body = text
  for (const [role, id] of Object.entries(roles)) body = body.split(id).join(`{${role}}`)
  return {
    status,
    contentType: headers.get("content-type"),
    retryAfter: headers.has("retry-after"),
    allow: headers.get("allow"),
    body
  }
}

const audit = (roles: Record<string, string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ lead_id: string; removed_from: string; reason: string | null; attempt: number }>`
      SELECT lead_id, removed_from, reason, attempt FROM lead_removals`
    const roleOf = new Map(Object.entries(roles).map(([role, id]) => [id, role]))
    return rows.map((r) => ({ ...r, lead_id: roleOf.get(r.lead_id) ?? r.lead_id, attempt: Number(r.attempt) }))
      .sort((a, b) => a.lead_id.localeCompare(b.lead_id))
  }).pipe(Effect.orDie)

for (const engine of engines) {
  describe(`the removal route ahead of the router, on ${engine}`, () => {
    // Live clock: the gateways drain on the clock when the scope closes.
    it.scopedLive("answers every removal request exactly as the router does, and audits the same", () =>
      Effect.gen(function*() {
        const settings = { authMaxFailuresPerKey: 3 }
        const ahead = yield* startTestGateway(engine, { settings: { ...settings, removalRoute: true } })
        const router = yield* startTestGateway(engine, { settings: { ...settings, removalRoute: false } })
        const roles = { ahead: yield* stage(ahead), router: yield* stage(router) }

        for (const step of steps) {
          const answers = []
          for (const [gw, r] of [[ahead, roles.ahead], [router, roles.router]] as const) {
            const auth = step.authorization === undefined ? `Bearer {key}` : step.authorization
            const reply = yield* call(gw, "DELETE", fill(step.path, r), {
              key: null,
              headers: auth === null ? {} : { authorization: fill(auth, r) }
            })
            answers.push(normalized(reply.status, reply.headers, reply.text, r))
          }
          expect({ step: step.path, auth: step.authorization, reply: answers[0] })
            .toEqual({ step: step.path, auth: step.authorization, reply: answers[1] })
        }

        const aheadAudit = yield* Effect.provide(audit(roles.ahead), ahead.context)
        const routerAudit = yield* Effect.provide(audit(roles.router), router.context)
        expect(aheadAudit).toEqual(routerAudit)
        // The requests meant to remove did remove, with their reasons decoded as sent.
        expect(aheadAudit.map((a) => [a.lead_id, a.reason])).toEqual([
          ["lead1", null],
          ["lead2", "asked by phone"],
          ["lead3", "✓ do not call=ever"],
          ["lead4", ""],
          ["lead5", "a=b"],
          ["lead6", null],
          ["lead8", "last"]
        ])
      }), { timeout: 120_000 })
  })
}

describe("which removals the route ahead of the router takes", () => {
  // Only DELETE of an id that needs no decoding; everything else is left to the router.
  it.scopedLive("the plain shape, with or without a query; nothing else", () =>
    Effect.gen(function*() {
      const gw = yield* startTestGateway("sqlite")
      const route = yield* makeRemovalRoute.pipe(
        Effect.provide(Layer.mergeAll(AuthRateLimiter.Default, GatewayMetrics.Default).pipe(Layer.provide(GatewayConfig.layer({})))),
        Effect.provide(gw.context)
      )
      const takes = (method: string, url: string) =>
        route(HttpServerRequest.fromWeb(new Request(`http://localhost${url}`, { method })), url.split("?")[0]!) !== undefined
      expect(REMOVAL_ROUTE).toBe("/v1/campaigns-leads/:id")
      expect(takes("DELETE", "/v1/campaigns-leads/lead_abc")).toBe(true)
      expect(takes("DELETE", "/v1/campaigns-leads/lead_abc?reason=opt+out")).toBe(true)
      expect(takes("DELETE", "/v1/campaigns-leads/not-a-lead-id")).toBe(true)
      expect(takes("DELETE", "/v1/campaigns-leads/lead%5Fabc")).toBe(false)
      expect(takes("DELETE", "/v1/campaigns-leads/lead_abc;x")).toBe(false)
      expect(takes("DELETE", `/v1/campaigns-leads/${"a".repeat(65)}`)).toBe(false)
      expect(takes("DELETE", "/v1/campaigns-leads/lead_abc/")).toBe(false)
      expect(takes("GET", "/v1/campaigns-leads/lead_abc")).toBe(false)
      expect(takes("PATCH", "/v1/campaigns-leads/lead_abc")).toBe(false)
      expect(takes("DELETE", "/v1/campaigns/cmp_abc")).toBe(false)
    }), { timeout: 60_000 })
})
