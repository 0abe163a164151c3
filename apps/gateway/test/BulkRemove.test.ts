import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { LeadRepository, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { dialLead } from "./staging.js"
import { addLead, call, createCampaign, expectFailure, expectStatus, freshPhone, snapshot } from "./support.js"

const engines = await testEngines()

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`POST /v1/campaigns-leads/bulk-remove on ${engine}`, (it) => {
    describe("bulk removal", () => {
      it.effect("by ids: each entry answered as its single DELETE would be, audited with key and reason", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { max_concurrent_calls: 5 })
          const [a, b, c] = [yield* addLead(gw, campaign.id), yield* addLead(gw, campaign.id), yield* addLead(gw, campaign.id)]
          yield* dialLead(c.id)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${b.id}`), 200)
          const other = yield* gw.newOrganization()
          const foreignCampaign = yield* createCampaign(gw, other.apiKey)
          const foreign = yield* addLead(gw, foreignCampaign.id, other.apiKey)

          const reply = yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
            body: { lead_ids: [a.id, b.id, c.id, foreign.id, "lead_unknown"], reason: "opt-out list 7" }
          })
          const body = expectStatus(reply, 200)
          expect(body).toEqual({
            results: [
              { input: a.id, lead_id: a.id, outcome: "removed", removed_from: "pending", call_in_progress: false },
              { input: b.id, lead_id: b.id, outcome: "already_removed", removed_from: null, call_in_progress: false },
              { input: c.id, lead_id: c.id, outcome: "removed", removed_from: "in_call", call_in_progress: true },
              { input: foreign.id, lead_id: null, outcome: "not_found", removed_from: null, call_in_progress: false },
              { input: "lead_unknown", lead_id: null, outcome: "not_found", removed_from: null, call_in_progress: false }
            ],
            removed: 2,
            already_removed: 1,
            not_found: 2,
            refused: 0
          })
          const leads = yield* LeadRepository
          const audit = Option.getOrThrow(yield* leads.removalOf(gw.organizationId, a.id))
          expect(audit).toMatchObject({ api_key_id: gw.apiKeyId, removed_from: "pending", reason: "opt-out list 7" })
          expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${a.id}`), 404, "LeadNotFound")
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${foreign.id}`, { key: other.apiKey }), 200).status).toBe("pending")
          // Safe to repeat: nothing more happens, and the answer says so.
          const again = expectStatus(yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", { body: { lead_ids: [a.id, c.id] } }), 200)
          expect([again.removed, again.already_removed]).toEqual([0, 2])
          const metrics = (yield* call(gw, "GET", "/metrics", { key: null })).text
          expect(metrics).toMatch(/removed_from="in_call"[^\n]* [1-9]/)
        }))

      it.effect("by phone numbers of one campaign; a cancelled campaign's leads are refused", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw)
          const phone = freshPhone()
          const a = yield* addLead(gw, campaign.id, gw.apiKey, { phoneNumber: phone })
          // Two live leads with one number exist only from before migration 0006 (a new one is
          // 409 DuplicateLead): the twin is made such a legacy duplicate, as the migration leaves them.
          const twin = yield* addLead(gw, campaign.id)
          yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql`UPDATE leads SET phone_number = ${phone}, duplicate_slot = seq WHERE id = ${twin.id}`)
          const keep = yield* addLead(gw, campaign.id)
          const reply = yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
            body: { campaign_id: campaign.id, phone_numbers: [phone, "+14155559999"] }
          })
          expect(expectStatus(reply, 200).results.map((r: { lead_id: string | null; outcome: string }) => [r.lead_id, r.outcome])).toEqual([
            [a.id, "removed"],
            [twin.id, "removed"],
            [null, "not_found"]
          ])
          expectStatus(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`), 200)
          const refused = expectStatus(
            yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", { body: { lead_ids: [keep.id] } }),
            200
          )
          expect(refused.results[0]).toMatchObject({ lead_id: keep.id, outcome: "refused" })
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${keep.id}`), 200).status).toBe("pending")
        }))

      it.effect("another organization's campaign: 404 and nothing changes", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw)
          const lead = yield* addLead(gw, campaign.id)
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          const reply = yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
            key: other.apiKey,
            body: { campaign_id: campaign.id, phone_numbers: [lead.phone_number] }
          })
          expectFailure(reply, 404, "CampaignNotFound")
          expect(yield* snapshot).toEqual(before)
        }))

      const bad: ReadonlyArray<readonly [string, unknown, RegExp]> = [
        ["neither list", { reason: "x" }, /either lead_ids, or campaign_id with phone_numbers/],
        ["both lists", { lead_ids: ["lead_a"], campaign_id: "cmp_a", phone_numbers: ["+14155550100"] }, /either lead_ids/],
        ["numbers without a campaign", { phone_numbers: ["+14155550100"] }, /phone_numbers need a campaign_id/],
        ["an empty list", { lead_ids: [] }, /lead_ids: must name at least one lead/],
        ["1,001 ids", { lead_ids: Array.from({ length: 1001 }, (_, i) => `lead_${i}`) }, /at most 1000 leads/],
        ["a number that is not E.164", { campaign_id: "cmp_a", phone_numbers: ["555-0100"] }, /phone_numbers\.0: must be an E\.164/],
        ["an unknown field", { lead_ids: ["lead_a"], force: true }, /force: is not a known field/],
        ["a malformed id", { lead_ids: ["lead a;--"] }, /lead_ids\.0: must be an identifier/]
      ]
      for (const [what, body, message] of bad) {
        it.effect(`400, nothing changes: ${what}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            const before = yield* snapshot
            const failure = expectFailure(yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", { body }), 400, "InvalidInput")
            expect([failure.message].flat().join("\n")).toMatch(message)
            expect(yield* snapshot).toEqual(before)
          }))
      }
    })
  })
}
