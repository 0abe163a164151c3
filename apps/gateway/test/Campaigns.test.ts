import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { LeadQueue, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { addLead, call, campaignBody, createCampaign, expectFailure, expectStatus, snapshot } from "./support.js"
import type { Json } from "./support.js"

const engines = await testEngines()

const CAMPAIGN_KEYS = [
  "agent_id",
  "calling_window",
  "completed_leads",
  "created_at",
  "failed_leads",
  "from_phone_number",
  "id",
  "in_progress_leads",
  "max_concurrent_calls",
  "name",
  "pending_leads",
  "removed_leads",
  "retry_config",
  "scheduled_at",
  "status",
  "total_leads",
  "updated_at"
]

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`campaigns over HTTP on ${engine}`, (it) => {
    describe("POST /v1/campaigns", () => {
      it.effect("creates a running campaign: 201, snake_case, ISO dates, live counters at zero", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const reply = yield* call(gw, "POST", "/v1/campaigns", {
            body: campaignBody({
              scheduled_at: "2030-01-02T03:04:05.000Z",
              calling_window: { start_time: "09:00", end_time: "17:30", timezone: "Europe/Paris", days: ["mon", "tue"] }
            })
          })
          const campaign = expectStatus(reply, 201)
          expect(Object.keys(campaign).sort()).toEqual(CAMPAIGN_KEYS)
          expect(campaign).toMatchObject({
            name: "Renewals",
            agent_id: "agent_1",
            from_phone_number: "+14155550100",
            status: "running",
            scheduled_at: "2030-01-02T03:04:05.000Z",
            max_concurrent_calls: 2,
            retry_config: { max_retries: 1, retry_interval_minutes: 10 },
            calling_window: { start_time: "09:00", end_time: "17:30", timezone: "Europe/Paris", days: ["mon", "tue"] },
            total_leads: 0,
            pending_leads: 0,
            removed_leads: 0
          })
          expect(campaign.id).toMatch(/^cmp_/)
          expect(reply.headers.get("x-request-id")).toBeTruthy()
          // Defaults: one call at a time, no retries, no window, starts now.
          const minimal = expectStatus(
            yield* call(gw, "POST", "/v1/campaigns", { body: { name: "Min", agent_id: "a", from_phone_number: "+442071838750" } }),
            201
          )
          expect(minimal).toMatchObject({ max_concurrent_calls: 1, retry_config: { max_retries: 0 }, calling_window: null })
          expect(Math.abs(Date.parse(minimal.scheduled_at) - Date.now())).toBeLessThan(60_000)
        }))

      const invalid: ReadonlyArray<readonly [string, unknown, ReadonlyArray<string>]> = [
        ["an empty object", {}, ["name: is required", "agent_id: is required", "from_phone_number: is required"]],
        ["wrong types", { name: 1, agent_id: [], from_phone_number: true }, ["name: Expected string, actual 1"]],
        ["an unknown field", { ...campaignBody(), colour: "red" }, ["colour: is not a known field"]],
        ["an unknown nested field", { ...campaignBody(), retry_config: { max_retries: 1, retry_interval_minutes: 5, x: 1 } }, [
          "retry_config.x: is not a known field"
        ]],
        ["max_retries over 4", campaignBody({ retry_config: { max_retries: 5, retry_interval_minutes: 10 } }), [
          "retry_config.max_retries: must be an integer from 0 to 4"
        ]],
        ["a number that is not E.164", campaignBody({ from_phone_number: "4155550100" }), [
          "from_phone_number: must be an E.164 phone number such as +14155550123"
        ]],
        ["an unknown time zone", campaignBody({ calling_window: { start_time: "09:00", end_time: "17:00", timezone: "Mars/Olympus" } }), [
          "calling_window.timezone: unknown IANA time zone \"Mars/Olympus\""
        ]],
        ["a fractional concurrency", campaignBody({ max_concurrent_calls: 1.5 }), []],
        ["a date that is not one", campaignBody({ scheduled_at: "tomorrow" }), []],
        ["an array", [campaignBody()], []],
        ["null", null, []]
      ]
      for (const [what, body, lines] of invalid) {
        it.effect(`400 with every problem named, nothing created: ${what}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            const before = yield* snapshot
            const error = expectFailure(yield* call(gw, "POST", "/v1/campaigns", { body }), 400, "InvalidInput")
            expect(Array.isArray(error.message)).toBe(true)
            expect(error.message.length).toBeGreaterThan(0)
            expect(error.message).toEqual(expect.arrayContaining([...lines]))
            expect(yield* snapshot).toEqual(before)
          }))
      }

      it.effect("bodies that are not JSON, of the wrong type, or too large: 400, 415, 413, nothing created", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const before = yield* snapshot
          const notJson = expectFailure(
            yield* call(gw, "POST", "/v1/campaigns", { body: "{\"name\": ", headers: { "content-type": "application/json" } }),
            400,
            "InvalidInput"
          )
          expect(notJson.message).toEqual(["body: is not valid JSON"])
          expectFailure(
            yield* call(gw, "POST", "/v1/campaigns", { body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }),
            415,
            "UnsupportedMediaType"
          )
          expectFailure(
            yield* call(gw, "POST", "/v1/campaigns", { body: JSON.stringify(campaignBody()), headers: { "content-type": "text/plain" } }),
            415,
            "UnsupportedMediaType"
          )
          const huge = JSON.stringify(campaignBody({ name: "x".repeat(2 * 1024 * 1024) }))
          expectFailure(yield* call(gw, "POST", "/v1/campaigns", { body: huge, headers: { "content-type": "application/json" } }), 413, "PayloadTooLarge")
          // The same without a Content-Length (chunked): answered 413 too, not dropped mid-body.
          const chunked = yield* Effect.promise(async () => {
            const bytes = new TextEncoder().encode(huge)
            const stream = new ReadableStream<Uint8Array>({
              start(controller) {
                for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024))
                controller.close()
              }
            })
            const res = await fetch(`${gw.baseUrl}/v1/campaigns`, {
              method: "POST",
              headers: { authorization: `Bearer ${gw.apiKey}`, "content-type": "application/json" },
              body: stream,
              duplex: "half"
            } as RequestInit)
            return { status: res.status, json: await res.json() }
          })
          expect(chunked).toMatchObject({ status: 413, json: { statusCode: 413, code: "PayloadTooLarge" } })
          const nul = expectFailure(yield* call(gw, "POST", "/v1/campaigns", { body: campaignBody({ name: "a\u0000b" }) }), 400, "InvalidInput")
          expect(nul.message[0]).toContain("NUL")
          expectFailure(yield* call(gw, "POST", "/v1/campaigns", { body: "" , headers: { "content-type": "application/json" } }), 400, "InvalidInput")
          expect(yield* snapshot).toEqual(before)
        }))
    })

    describe("GET /v1/campaigns", () => {
      it.effect("pages with meta, filters by status, and sees only the caller's organization", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* gw.newOrganization()
          const ids: Array<string> = []
          for (let i = 0; i < 5; i++) ids.push((yield* createCampaign(gw, org.apiKey, { name: `C${i}` })).id)
          yield* call(gw, "PATCH", `/v1/campaigns/${ids[1]}`, { key: org.apiKey, body: { status: "paused" } })
          const page1 = expectStatus(yield* call(gw, "GET", "/v1/campaigns?page=1&limit=2", { key: org.apiKey }), 200)
          expect(page1.meta).toEqual({ page: 1, limit: 2, total: 5, totalPages: 3 })
          expect(page1.data).toHaveLength(2)
          const page3 = expectStatus(yield* call(gw, "GET", "/v1/campaigns?page=3&limit=2", { key: org.apiKey }), 200)
          expect(page3.data).toHaveLength(1)
          const all = expectStatus(yield* call(gw, "GET", "/v1/campaigns?limit=100", { key: org.apiKey }), 200)
          expect(all.data.map((c: Json) => c.id).sort()).toEqual([...ids].sort())
          const paused = expectStatus(yield* call(gw, "GET", "/v1/campaigns?status=paused", { key: org.apiKey }), 200)
          expect(paused.data.map((c: Json) => c.id)).toEqual([ids[1]])
          expect(paused.meta).toEqual({ page: 1, limit: 20, total: 1, totalPages: 1 })
          // The first organization sees none of these.
          const other = expectStatus(yield* call(gw, "GET", "/v1/campaigns?limit=100"), 200)
          expect(other.data.some((c: Json) => ids.includes(c.id))).toBe(false)
        }))

      for (const query of ["page=0", "page=-1", "page=1.5", "limit=0", "limit=101", "limit=abc", "page=", "status=bogus", "limit=1&limit=2"]) {
        it.effect(`400 for bad pagination or filter: ?${query}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            const error = expectFailure(yield* call(gw, "GET", `/v1/campaigns?${query}`), 400, "InvalidInput")
            expect(error.message.join(" ")).toMatch(/^(page|limit|status): /)
          }))
      }
    })

    describe("GET /v1/campaigns/{id}", () => {
      it.effect("answers live counters; 404 when missing or another organization's; 400 for a malformed id", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { scheduled_at: "2099-01-01T00:00:00Z" })
          const lead = yield* addLead(gw, campaign.id)
          yield* addLead(gw, campaign.id)
          yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`)
          const got = expectStatus(yield* call(gw, "GET", `/v1/campaigns/${campaign.id}`), 200)
          expect(got).toMatchObject({ id: campaign.id, total_leads: 2, pending_leads: 1, removed_leads: 1, in_progress_leads: 0 })
          const missing = expectFailure(yield* call(gw, "GET", "/v1/campaigns/cmp_0000000000000000000000000"), 404, "CampaignNotFound")
          expect(missing.campaign_id).toBe("cmp_0000000000000000000000000")
          const other = yield* gw.newOrganization()
          expectFailure(yield* call(gw, "GET", `/v1/campaigns/${campaign.id}`, { key: other.apiKey }), 404, "CampaignNotFound")
          expectFailure(yield* call(gw, "GET", `/v1/campaigns/${encodeURIComponent("cmp'; DROP TABLE campaigns;--")}`), 400, "InvalidInput")
          expectFailure(yield* call(gw, "GET", `/v1/campaigns/${"x".repeat(65)}`), 400, "InvalidInput")
          expectFailure(yield* call(gw, "GET", `/v1/campaigns/%00`), 400, "InvalidInput")
        }))
    })

    describe("PATCH /v1/campaigns/{id}", () => {
      it.effect("updates fields, pauses and resumes; unknown or invalid fields are a 400", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw)
          const renamed = expectStatus(
            yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, {
              body: { name: "Renamed", max_concurrent_calls: 7, retry_config: { max_retries: 4, retry_interval_minutes: 30 } }
            }),
            200
          )
          expect(renamed).toMatchObject({ name: "Renamed", max_concurrent_calls: 7, retry_config: { max_retries: 4, retry_interval_minutes: 30 } })
          expect(expectStatus(yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { body: { status: "paused" } }), 200).status).toBe("paused")
          expect(expectStatus(yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { body: { status: "running" } }), 200).status).toBe("running")
          const before = yield* snapshot
          for (const body of [{ status: "cancelled" }, { status: "completed" }, { nope: 1 }, { max_concurrent_calls: 0 }, { name: "" }, []]) {
            expectFailure(yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { body }), 400, "InvalidInput")
          }
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("409: agent_id once a call was made; resuming a cancelled campaign", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const queue = yield* LeadQueue
          const campaign = yield* createCampaign(gw, gw.apiKey, { max_concurrent_calls: 1 })
          const lead = yield* addLead(gw, campaign.id)
          // The worker's own steps: claim, then the dial's point of no return.
          let claim
          for (const c of yield* queue.claimDue({ worker_id: "test", limit: 100, lease_ms: 60_000 })) {
            if (c.lead_id === lead.id) claim = c
            else yield* Effect.ignore(queue.release(c))
          }
          expect(claim).toBeDefined()
          yield* Effect.orDie(queue.startDial(claim!, 60_000))
          const conflict = expectFailure(
            yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { body: { agent_id: "agent_2" } }),
            409,
            "InvalidTransition"
          )
          expect(conflict.entity).toBe("campaign")
          expect(expectStatus(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`), 200).status).toBe("cancelled")
          expectFailure(yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { body: { status: "running" } }), 409, "CampaignTerminal")
        }))

      it.effect("another organization's campaign: 404, nothing changed", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw)
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          expectFailure(
            yield* call(gw, "PATCH", `/v1/campaigns/${campaign.id}`, { key: other.apiKey, body: { status: "paused", name: "Mine" } }),
            404,
            "CampaignNotFound"
          )
          expectFailure(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`, { key: other.apiKey }), 404, "CampaignNotFound")
          expect(yield* snapshot).toEqual(before)
        }))
    })

    describe("POST /v1/campaigns/{id}/cancel", () => {
      it.effect("cancels; a second cancel is a 409; a missing campaign a 404", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw)
          yield* addLead(gw, campaign.id)
          const cancelled = expectStatus(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`), 200)
          expect(cancelled).toMatchObject({ id: campaign.id, status: "cancelled" })
          const again = expectFailure(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`), 409, "CampaignTerminal")
          expect(again).toMatchObject({ campaign_id: campaign.id, status: "cancelled" })
          expectFailure(yield* call(gw, "POST", "/v1/campaigns/cmp_missing/cancel"), 404, "CampaignNotFound")
          // A cancelled campaign takes no new leads.
          expectFailure(
            yield* call(gw, "POST", "/v1/campaigns-leads", { body: { campaignId: campaign.id, phoneNumber: "+14155550199" } }),
            409,
            "CampaignTerminal"
          )
        }))
    })
  })
}
