import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { addLead, call, createCampaign, expectFailure, expectStatus } from "./support.js"
import type { Json } from "./support.js"
import { callLead } from "./staging.js"

const engines = await testEngines()

const LOG_KEYS = ["attempt", "call_id", "campaign_id", "created_at", "duration_seconds", "end_reason", "ended_at", "id", "lead_id", "phone_number", "started_at", "status"]

/**
 * An organization with one campaign whose three leads were called: completed (42 s), no answer,
 * failed; a fourth is still pending.
 */
const calledCampaign = Effect.gen(function*() {
  const gw = yield* TestGateway
  const org = yield* gw.newOrganization()
  const campaign = yield* createCampaign(gw, org.apiKey, { max_concurrent_calls: 3, retry_config: { max_retries: 0, retry_interval_minutes: 5 } })
  const leads = [yield* addLead(gw, campaign.id, org.apiKey), yield* addLead(gw, campaign.id, org.apiKey), yield* addLead(gw, campaign.id, org.apiKey)]
  // Not called yet: it keeps the campaign running (a drained campaign completes).
  const spare = yield* addLead(gw, campaign.id, org.apiKey)
  const done = yield* callLead(leads[0].id, "completed", 42)
  const missed = yield* callLead(leads[1].id, "no_answer")
  const failed = yield* callLead(leads[2].id, "failed")
  return { org, campaign, leads, spare, logs: { done, missed, failed } }
})

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`call logs over HTTP on ${engine}`, (it) => {
    describe("GET /v1/call-logs", () => {
      it.effect("lists the organization's logs, newest first by default, with every documented filter", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const { campaign, leads, logs, org } = yield* calledCampaign
          const get = (q: string) => Effect.map(call(gw, "GET", `/v1/call-logs${q}`, { key: org.apiKey }), (r) => expectStatus(r, 200))
          const all = yield* get("")
          expect(all.meta).toEqual({ page: 1, limit: 20, total: 3, totalPages: 1 })
          expect(Object.keys(all.data[0]).sort()).toEqual(LOG_KEYS)
          expect(all.data.map((l: Json) => l.id)).toEqual([logs.failed.call_log_id, logs.missed.call_log_id, logs.done.call_log_id])
          expect((yield* get("?created_at=asc")).data.map((l: Json) => l.id)).toEqual([
            logs.done.call_log_id,
            logs.missed.call_log_id,
            logs.failed.call_log_id
          ])
          const done = (yield* get("?status=completed")).data
          expect(done).toHaveLength(1)
          expect(done[0]).toMatchObject({
            lead_id: leads[0].id,
            campaign_id: campaign.id,
            phone_number: leads[0].phone_number,
            attempt: 1,
            status: "completed",
            end_reason: "user_disconnected",
            duration_seconds: 42
          })
          expect(done[0].started_at).not.toBeNull()
          expect((yield* get(`?lead_id=${leads[1].id}`)).data.map((l: Json) => l.status)).toEqual(["no_answer"])
          expect((yield* get(`?campaign_id=${campaign.id}&duration_min=10`)).data.map((l: Json) => l.status)).toEqual(["completed"])
          expect((yield* get("?duration_max=5")).meta.total).toBe(2)
          expect((yield* get(`?start_date=${new Date(Date.now() + 3_600_000).toISOString()}`)).meta.total).toBe(0)
          expect((yield* get(`?start_date=2020-01-01&end_date=${new Date(Date.now() + 3_600_000).toISOString()}`)).meta.total).toBe(3)
          expect((yield* get("?end_date=2020-01-01")).meta.total).toBe(0)
          const page2 = yield* get("?limit=2&page=2")
          expect(page2.meta).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 })
          expect(page2.data).toHaveLength(1)
          // The first organization sees none of these.
          const foreign = expectStatus(yield* call(gw, "GET", `/v1/call-logs?campaign_id=${campaign.id}`), 200)
          expect(foreign.meta.total).toBe(0)
        }))

      for (const q of ["status=ringing", "start_date=yesterday", "duration_min=-1", "duration_max=abc", "created_at=up", "limit=0", "lead_id=a%20b"]) {
        it.effect(`400 for a bad filter: ?${q}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            expectFailure(yield* call(gw, "GET", `/v1/call-logs?${q}`), 400, "InvalidInput")
          }))
      }

      it.effect("carries an ETag; If-None-Match with it is a 304 without a body, until a log changes", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const { campaign, leads, org, spare } = yield* calledCampaign
          for (const path of ["/v1/call-logs", `/v1/call-logs/campaign/${campaign.id}`]) {
            const first = yield* call(gw, "GET", path, { key: org.apiKey })
            expectStatus(first, 200)
            const etag = first.headers.get("etag")!
            expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
            const again = yield* call(gw, "GET", path, { key: org.apiKey, headers: { "if-none-match": etag } })
            expect(again.status).toBe(304)
            expect(again.text).toBe("")
            expect(again.headers.get("etag")).toBe(etag)
            expect((yield* call(gw, "GET", path, { key: org.apiKey, headers: { "if-none-match": "\"stale\"" } })).status).toBe(200)
          }
          const before = (yield* call(gw, "GET", "/v1/call-logs", { key: org.apiKey })).headers.get("etag")!
          yield* callLead(spare.id, "busy")
          const after = yield* call(gw, "GET", "/v1/call-logs", { key: org.apiKey, headers: { "if-none-match": before } })
          expect(after.status).toBe(200)
          expect(after.json.meta.total).toBe(4)
          expect(after.headers.get("etag")).not.toBe(before)
          expect(leads).toHaveLength(3)
        }))
    })

    describe("GET /v1/call-logs/campaign/{campaignId} and /v1/call-logs/{id}", () => {
      it.effect("every attempt of a campaign; one log; 404 for missing or another organization's", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const { campaign, logs, org } = yield* calledCampaign
          const byCampaign = expectStatus(yield* call(gw, "GET", `/v1/call-logs/campaign/${campaign.id}?status=failed`, { key: org.apiKey }), 200)
          expect(byCampaign.data.map((l: Json) => l.id)).toEqual([logs.failed.call_log_id])
          expectFailure(yield* call(gw, "GET", `/v1/call-logs/campaign/${campaign.id}`), 404, "CampaignNotFound")
          expectFailure(yield* call(gw, "GET", "/v1/call-logs/campaign/cmp_nope", { key: org.apiKey }), 404, "CampaignNotFound")
          const one = expectStatus(yield* call(gw, "GET", `/v1/call-logs/${logs.done.call_log_id}`, { key: org.apiKey }), 200)
          expect(one).toMatchObject({ id: logs.done.call_log_id, call_id: logs.done.call_id, status: "completed", duration_seconds: 42 })
          expect(Object.keys(one).sort()).toEqual(LOG_KEYS)
          const foreign = expectFailure(yield* call(gw, "GET", `/v1/call-logs/${logs.done.call_log_id}`), 404, "CallLogNotFound")
          expect(foreign.call_log_id).toBe(logs.done.call_log_id)
          expectFailure(yield* call(gw, "GET", "/v1/call-logs/log_nope", { key: org.apiKey }), 404, "CallLogNotFound")
          expectFailure(yield* call(gw, "GET", "/v1/call-logs/bad%20id", { key: org.apiKey }), 400, "InvalidInput")
        }))
    })
  })
}
