import { describe, expect, layer } from "@effect/vitest"
import { randomToken } from "@leadq/domain"
import { Effect } from "effect"
import type { TestGatewayInfo, TestOrganization } from "../src/testing/index.js"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { callLead, claimLead, dialLead } from "./staging.js"
import { addLead, call, createCampaign, expectFailure, expectStatus } from "./support.js"
import type { Json } from "./support.js"

const engines = await testEngines()

const RECORD_KEYS = [
  "api_key_id",
  "attempt",
  "call_in_progress",
  "campaign_id",
  "id",
  "lead_id",
  "phone_number",
  "reason",
  "removed_at",
  "removed_from"
]

/** A reason a CSV or a JSON encoder could get wrong. */
const AWKWARD_REASON = `opted out, said "never again"`

/** A fresh organization with two keys of its own, so every count in a test is exact. */
const organizationWithTwoKeys = (gw: TestGatewayInfo) =>
  Effect.gen(function*() {
    const name = `removals-${randomToken(10)}`
    const first = yield* gw.newOrganization(name)
    const second = yield* gw.newOrganization(name)
    expect(second.organizationId).toBe(first.organizationId)
    return [first, second] as const
  })

const remove = (gw: TestGatewayInfo, key: TestOrganization, leadId: string, reason?: string) =>
  Effect.map(
    call(gw, "DELETE", `/v1/campaigns-leads/${leadId}${reason === undefined ? "" : `?reason=${encodeURIComponent(reason)}`}`, {
      key: key.apiKey
    }),
    (r) => expectStatus(r, 200)
  )

const listRemovals = (gw: TestGatewayInfo, key: TestOrganization, query = "") =>
  Effect.map(call(gw, "GET", `/v1/removals${query === "" ? "" : `?${query}`}`, { key: key.apiKey }), (r) => expectStatus(r, 200))

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`the removal audit over HTTP on ${engine}`, (it) => {
    describe("GET /v1/removals and GET /v1/campaigns-leads/{id}/removal", () => {
      it.effect("a removal from each state is recorded with where it was, its attempt, reason and key; newest first", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const [alice, bob] = yield* organizationWithTwoKeys(gw)
          const campaign = yield* createCampaign(gw, alice.apiKey, { max_concurrent_calls: 5, retry_config: { max_retries: 2, retry_interval_minutes: 60 } })
          const pending = yield* addLead(gw, campaign.id, alice.apiKey)
          const claimed = yield* addLead(gw, campaign.id, alice.apiKey)
          const inCall = yield* addLead(gw, campaign.id, alice.apiKey)
          const called = yield* addLead(gw, campaign.id, alice.apiKey)
          const kept = yield* addLead(gw, campaign.id, alice.apiKey)
          const before = Date.now()

          yield* remove(gw, alice, pending.id, AWKWARD_REASON)
          yield* claimLead(claimed.id)
          yield* remove(gw, alice, claimed.id, "claimed")
          yield* dialLead(inCall.id)
          yield* remove(gw, bob, inCall.id, "in a call")
          yield* callLead(called.id, "completed", 30)
          yield* remove(gw, bob, called.id)
          const after = Date.now()

          const page = yield* listRemovals(gw, alice)
          expect(page.meta).toEqual({ page: 1, limit: 20, total: 4, totalPages: 1 })
          const times = page.data.map((r: Json) => Date.parse(r.removed_at))
          expect(times).toEqual([...times].sort((a, b) => b - a))
          for (const t of times) {
            expect(t).toBeGreaterThanOrEqual(before)
            expect(t).toBeLessThanOrEqual(after)
          }
          const byLead = new Map<string, Json>(page.data.map((r: Json) => [r.lead_id, r]))
          expect([...byLead.keys()].sort()).toEqual([pending.id, claimed.id, inCall.id, called.id].sort())
          expect(byLead.has(kept.id)).toBe(false)
          const expected: ReadonlyArray<readonly [Json, string, number, boolean, string | null, TestOrganization]> = [
            [pending, "pending", 0, false, AWKWARD_REASON, alice],
            [claimed, "claimed", 0, false, "claimed", alice],
            [inCall, "in_call", 1, true, "in a call", bob],
            [called, "called", 1, false, null, bob]
          ]
          for (const [lead, removedFrom, attempt, inProgress, reason, key] of expected) {
            const record = byLead.get(lead.id)
            expect(Object.keys(record).sort()).toEqual(RECORD_KEYS)
            expect(record).toMatchObject({
              lead_id: lead.id,
              campaign_id: campaign.id,
              phone_number: lead.phone_number,
              removed_from: removedFrom,
              attempt,
              call_in_progress: inProgress,
              reason,
              api_key_id: key.apiKeyId
            })
            expect(record.id).toMatch(/^rmv_/)
            // The removed lead itself is not found; its record is.
            expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`, { key: alice.apiKey }), 404, "LeadNotFound")
            expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}/removal`, { key: bob.apiKey }), 200)).toEqual(record)
          }
          // A lead never removed has no record.
          expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${kept.id}/removal`, { key: alice.apiKey }), 404, "LeadNotFound")
          yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`, { key: alice.apiKey })
        }))

      it.effect("each filter narrows the list to exactly its records, and they combine", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const [alice, bob] = yield* organizationWithTwoKeys(gw)
          const first = yield* createCampaign(gw, alice.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
          const second = yield* createCampaign(gw, alice.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
          const shared = "+14155559876"
          const leads = [
            yield* addLead(gw, first.id, alice.apiKey, { phoneNumber: shared }),
            yield* addLead(gw, first.id, alice.apiKey),
            yield* addLead(gw, second.id, alice.apiKey, { phoneNumber: shared }),
            yield* addLead(gw, second.id, alice.apiKey)
          ]
          for (const [i, lead] of leads.entries()) {
            yield* remove(gw, i % 2 === 0 ? alice : bob, lead.id)
            // Apart in time, so that from/to have something to split.
            yield* Effect.sleep("3 millis")
          }
          const all: ReadonlyArray<Json> = (yield* listRemovals(gw, alice)).data
          expect(all).toHaveLength(4)
          const ids = (rows: ReadonlyArray<Json>) => rows.map((r) => r.lead_id)
          const expectFiltered = (query: string, keep: (r: Json) => boolean) =>
            Effect.gen(function*() {
              const page = yield* listRemovals(gw, alice, query)
              const want = all.filter(keep)
              expect(want.length).toBeGreaterThan(0)
              expect(want.length).toBeLessThan(all.length)
              expect({ query, ids: ids(page.data), total: page.meta.total }).toEqual({ query, ids: ids(want), total: want.length })
            })
          yield* expectFiltered(`campaign_id=${first.id}`, (r) => r.campaign_id === first.id)
          yield* expectFiltered(`phone_number=${encodeURIComponent(shared)}`, (r) => r.phone_number === shared)
          yield* expectFiltered(`api_key_id=${bob.apiKeyId}`, (r) => r.api_key_id === bob.apiKeyId)
          const middle = all[1].removed_at
          yield* expectFiltered(`from=${encodeURIComponent(middle)}`, (r) => r.removed_at >= middle)
          yield* expectFiltered(`to=${encodeURIComponent(middle)}`, (r) => r.removed_at <= middle)
          yield* expectFiltered(`from=${all[2].removed_at}&to=${all[1].removed_at}`, (r) => r.removed_at >= all[2].removed_at && r.removed_at <= all[1].removed_at)
          yield* expectFiltered(
            `campaign_id=${second.id}&phone_number=${encodeURIComponent(shared)}&api_key_id=${alice.apiKeyId}`,
            (r) => r.campaign_id === second.id && r.phone_number === shared && r.api_key_id === alice.apiKeyId
          )
          const none = yield* listRemovals(gw, alice, `phone_number=${encodeURIComponent("+14155550000")}`)
          expect(none).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } })
        }))

      it.effect("pages: ?page=&limit= with meta; a bulk removal's records (one instant) are split across pages without loss or repeat", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const [alice] = yield* organizationWithTwoKeys(gw)
          const campaign = yield* createCampaign(gw, alice.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
          const leads: Array<Json> = []
          for (let i = 0; i < 5; i++) leads.push(yield* addLead(gw, campaign.id, alice.apiKey))
          const bulk = yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
            key: alice.apiKey,
            body: { lead_ids: leads.map((l) => l.id), reason: "bulk" }
          })
          expect(expectStatus(bulk, 200).removed).toBe(5)
          const full = yield* listRemovals(gw, alice)
          const seen: Array<string> = []
          for (const page of [1, 2, 3]) {
            const reply = yield* listRemovals(gw, alice, `page=${page}&limit=2`)
            expect(reply.meta).toEqual({ page, limit: 2, total: 5, totalPages: 3 })
            seen.push(...reply.data.map((r: Json) => r.id))
          }
          expect(seen).toEqual(full.data.map((r: Json) => r.id))
          expect(new Set(full.data.map((r: Json) => r.lead_id))).toEqual(new Set(leads.map((l) => l.id)))
          expect(yield* listRemovals(gw, alice, "page=4&limit=2")).toEqual({ data: [], meta: { page: 4, limit: 2, total: 5, totalPages: 3 } })
          expect((yield* listRemovals(gw, alice, "limit=100")).data).toHaveLength(5)
        }))

      it.effect("another organization's key sees an empty list and 404s, never a row of this one", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const [alice] = yield* organizationWithTwoKeys(gw)
          const [mallory] = yield* organizationWithTwoKeys(gw)
          const campaign = yield* createCampaign(gw, alice.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
          const lead = yield* addLead(gw, campaign.id, alice.apiKey)
          yield* remove(gw, alice, lead.id, "mine")
          expect((yield* listRemovals(gw, alice)).meta.total).toBe(1)
          const empty = { data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } }
          expect(yield* listRemovals(gw, mallory)).toEqual(empty)
          for (const query of [`campaign_id=${campaign.id}`, `phone_number=${encodeURIComponent(lead.phone_number)}`, `api_key_id=${alice.apiKeyId}`]) {
            expect(yield* listRemovals(gw, mallory, query)).toEqual(empty)
          }
          const foreign = expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}/removal`, { key: mallory.apiKey }), 404, "LeadNotFound")
          expect(JSON.stringify(foreign)).not.toContain("mine")
          expectFailure(yield* call(gw, "GET", "/v1/campaigns-leads/lead_unknown/removal", { key: alice.apiKey }), 404, "LeadNotFound")
          expectFailure(yield* call(gw, "GET", "/v1/removals", { key: null }), 401, "Unauthorized")
        }))

      const badQueries = [
        "page=0",
        "limit=0",
        "limit=101",
        "limit=ten",
        "phone_number=4155550123",
        "phone_number=%2B1",
        "from=yesterday",
        "to=2026-13-45T00:00:00Z",
        "campaign_id=..%2Fetc",
        "api_key_id=key%20x"
      ]
      for (const query of badQueries) {
        it.effect(`400 in the envelope for a bad filter: ?${query}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            expectFailure(yield* call(gw, "GET", `/v1/removals?${query}`), 400, "InvalidInput")
          }))
      }

      it.effect("400 in the envelope for a time range that ends before it starts (not an empty list)", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const error = expectFailure(
            yield* call(gw, "GET", "/v1/removals?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z"),
            400,
            "InvalidInput"
          )
          expect([error.message].flat().join("\n")).toContain("from: must not be after to")
          // The same instant at both ends is a range (the records of that millisecond).
          expectStatus(yield* call(gw, "GET", "/v1/removals?from=2026-06-01T00:00:00Z&to=2026-06-01T00:00:00Z"), 200)
        }))

      it.effect("400 in the envelope for a malformed lead id", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          expectFailure(yield* call(gw, "GET", "/v1/campaigns-leads/bad%20id/removal"), 400, "InvalidInput")
        }))
    })
  })
}
