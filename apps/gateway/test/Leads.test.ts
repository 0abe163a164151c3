import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { LeadQueue, LeadRepository, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { addLead, call, createCampaign, expectFailure, expectStatus, freshPhone, snapshot } from "./support.js"
import type { Json } from "./support.js"
import { callLead, claimLead, dialLead, finish } from "./staging.js"

const engines = await testEngines()

const LEAD_KEYS = ["attempts", "call_log_id", "campaign_id", "created_at", "id", "name", "notes", "phone_number", "scheduled_at", "status", "updated_at"]
const FUTURE = { scheduled_at: "2099-01-01T00:00:00.000Z" }

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`campaign leads over HTTP on ${engine}`, (it) => {
    describe("POST /v1/campaigns-leads", () => {
      it.effect("adds a lead from the documented camelCase body; answers snake_case", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const reply = yield* call(gw, "POST", "/v1/campaigns-leads", {
            body: { campaignId: campaign.id, phoneNumber: "(415) 555-0123", countryCode: "+1", name: "  Ada  ", notes: { plan: "gold", seats: 3, vip: true } }
          })
          const lead = expectStatus(reply, 201)
          expect(Object.keys(lead).sort()).toEqual(LEAD_KEYS)
          expect(lead).toMatchObject({
            campaign_id: campaign.id,
            name: "Ada",
            phone_number: "+14155550123",
            notes: { plan: "gold", seats: 3, vip: true },
            status: "pending",
            attempts: 0,
            call_log_id: null,
            scheduled_at: "2099-01-01T00:00:00.000Z"
          })
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`), 200)).toEqual(lead)
        }))

      const invalid: ReadonlyArray<readonly [string, (campaignId: string) => unknown, string]> = [
        ["no campaignId", () => ({ phoneNumber: "+14155550123" }), "campaignId: is required"],
        ["no phoneNumber", (c) => ({ campaignId: c }), "phoneNumber: is required"],
        ["snake_case fields", (c) => ({ campaign_id: c, phone_number: "+14155550123" }), "campaign_id: is not a known field"],
        ["an unknown field", (c) => ({ campaignId: c, phoneNumber: "+14155550123", email: "a@b.c" }), "email: is not a known field"],
        ["a national number without countryCode", (c) => ({ campaignId: c, phoneNumber: "4155550123" }), "phoneNumber must be in E.164 form"],
        ["a number too short", (c) => ({ campaignId: c, phoneNumber: "+1415" }), "is not a valid phone number"],
        ["a countryCode that disagrees", (c) => ({ campaignId: c, phoneNumber: "+14155550123", countryCode: "44" }), "does not start with countryCode"],
        ["a 16th notes key", (c) => ({
          campaignId: c,
          phoneNumber: "+14155550123",
          notes: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))
        }), "notes: notes may have at most 15 keys, got 16"],
        ["a nested note value", (c) => ({ campaignId: c, phoneNumber: "+14155550123", notes: { a: { b: 1 } } }), "notes.a"],
        ["a name too long", (c) => ({ campaignId: c, phoneNumber: "+14155550123", name: "x".repeat(201) }), "name: must be at most 200 characters"],
        ["a malformed campaignId", () => ({ campaignId: "../etc", phoneNumber: "+14155550123" }), "campaignId: must be an identifier"],
        ["a number as campaignId", () => ({ campaignId: 42, phoneNumber: "+14155550123" }), "campaignId: Expected string"]
      ]
      for (const [what, body, line] of invalid) {
        it.effect(`400, nothing added: ${what}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
            const before = yield* snapshot
            const error = expectFailure(yield* call(gw, "POST", "/v1/campaigns-leads", { body: body(campaign.id) }), 400, "InvalidInput")
            expect(error.message.join("\n")).toContain(line)
            expect(yield* snapshot).toEqual(before)
          }))
      }

      it.effect("404 for a campaign that does not exist or is another organization's; nothing added", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          expectFailure(
            yield* call(gw, "POST", "/v1/campaigns-leads", { key: other.apiKey, body: { campaignId: campaign.id, phoneNumber: "+14155550123" } }),
            404,
            "CampaignNotFound"
          )
          expectFailure(
            yield* call(gw, "POST", "/v1/campaigns-leads", { body: { campaignId: "cmp_nope", phoneNumber: "+14155550123" } }),
            404,
            "CampaignNotFound"
          )
          expect(yield* snapshot).toEqual(before)
        }))
    })

    describe("GET /v1/campaigns-leads", () => {
      it.effect("lists a campaign's leads by page, by status and by phone number; removed leads only on request", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* gw.newOrganization()
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const leads = []
          for (let i = 0; i < 5; i++) leads.push(yield* addLead(gw, campaign.id, org.apiKey, { notes: { i } }))
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${leads[4].id}`, { key: org.apiKey }), 200)
          const page = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}&page=2&limit=3`, { key: org.apiKey }), 200)
          expect(page.meta).toEqual({ page: 2, limit: 3, total: 4, totalPages: 2 })
          expect(page.data.map((l: Json) => l.notes.i)).toEqual([3])
          const removed = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}&status=removed`, { key: org.apiKey }), 200)
          expect(removed.data.map((l: Json) => [l.id, l.status])).toEqual([[leads[4].id, "removed"]])
          const byPhone = expectStatus(
            yield* call(gw, "GET", `/v1/campaigns-leads?phone_number=${encodeURIComponent(leads[2].phone_number)}`, { key: org.apiKey }),
            200
          )
          expect(byPhone.data.map((l: Json) => l.id)).toEqual([leads[2].id])
          // Another organization sees none of them.
          const foreign = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}`), 200)
          expect(foreign.meta.total).toBe(0)
          for (const q of ["status=calling", "limit=101", "page=0", "campaign_id=a/b", "phone_number=4155550123"]) {
            expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads?${q}`, { key: org.apiKey }), 400, "InvalidInput")
          }
        }))
    })

    describe("PATCH /v1/campaigns-leads/{id}", () => {
      it.effect("corrects a pending lead (notes replaced whole); 409 once it is being called; 404 for others", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { max_concurrent_calls: 1 })
          const lead = yield* addLead(gw, campaign.id, gw.apiKey, { notes: { a: 1, b: 2 } })
          const fixed = expectStatus(
            yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, {
              body: { name: "Grace", phoneNumber: "020 7183 8750", countryCode: "44", notes: { c: "3" } }
            }),
            200
          )
          expect(fixed).toMatchObject({ id: lead.id, name: "Grace", phone_number: "+442071838750", notes: { c: "3" }, scheduled_at: lead.scheduled_at })
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          for (const body of [{ countryCode: "1" }, { phoneNumber: "12" }, { status: "completed" }, { notes: "x" }]) {
            expectFailure(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { body }), 400, "InvalidInput")
          }
          expectFailure(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: other.apiKey, body: { name: "Eve" } }), 404, "LeadNotFound")
          expect(yield* snapshot).toEqual(before)
          yield* claimLead(lead.id)
          const locked = expectFailure(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { body: { name: "Late" } }), 409, "LeadLocked")
          expect(locked.lead_id).toBe(lead.id)
          yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`)
        }))
    })

    describe("DELETE /v1/campaigns-leads/{id}: the removal table of docs/design.md §3", () => {
      const removalOf = (org: string, leadId: string) =>
        Effect.flatMap(LeadRepository, (leads) => leads.removalOf(org as never, leadId))

      it.effect("pending, never dialled: 200, invisible, audited with key and reason, never claimed; other slots unchanged", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const queue = yield* LeadQueue
          const campaign = yield* createCampaign(gw, gw.apiKey, { max_concurrent_calls: 5 })
          const [a, b, c] = [yield* addLead(gw, campaign.id), yield* addLead(gw, campaign.id), yield* addLead(gw, campaign.id)]
          const reply = yield* call(gw, "DELETE", `/v1/campaigns-leads/${b.id}?reason=${encodeURIComponent("opted out by phone")}`)
          expect(expectStatus(reply, 200)).toEqual({
            message: "Lead removed from campaign.",
            lead_id: b.id,
            removed_from: "pending",
            call_in_progress: false
          })
          expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${b.id}`), 404, "LeadNotFound")
          const audit = Option.getOrThrow(yield* removalOf(gw.organizationId, b.id))
          expect(audit).toMatchObject({ lead_id: b.id, api_key_id: gw.apiKeyId, removed_from: "pending", reason: "opted out by phone", attempt: 0 })
          const claimed = yield* queue.claimDue({ worker_id: "gateway-test", limit: 100, lease_ms: 60_000 })
          expect(claimed.map((x) => x.lead_id)).not.toContain(b.id)
          for (const x of claimed) yield* Effect.orDie(queue.release(x))
          for (const other of [a, c]) {
            expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${other.id}`), 200).scheduled_at).toBe(other.scheduled_at)
          }
          yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`)
        }))

      it.effect("pending, waiting for a retry: 200; the earlier attempt's call log stays", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { retry_config: { max_retries: 2, retry_interval_minutes: 60 } })
          const lead = yield* addLead(gw, campaign.id)
          const dial = yield* callLead(lead.id, "no_answer")
          const waiting = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`), 200)
          expect(waiting).toMatchObject({ status: "pending", attempts: 1 })
          const removal = expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 200)
          expect(removal).toMatchObject({ removed_from: "pending", call_in_progress: false })
          expect(expectStatus(yield* call(gw, "GET", `/v1/call-logs/${dial.call_log_id}`), 200)).toMatchObject({ status: "no_answer", lead_id: lead.id })
          yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`)
        }))

      it.effect("claimed by a worker, not yet dialled: 200; the worker's dial is then cancelled and nothing is logged", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const queue = yield* LeadQueue
          const campaign = yield* createCampaign(gw)
          const lead = yield* addLead(gw, campaign.id)
          const claim = yield* claimLead(lead.id)
          const removal = expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 200)
          expect(removal).toMatchObject({ removed_from: "claimed", call_in_progress: false })
          const dial = yield* Effect.either(queue.startDial(claim, 60_000))
          expect(Either.isLeft(dial) && dial.left._tag).toBe("DialCancelled")
          const logs = expectStatus(yield* call(gw, "GET", `/v1/call-logs?lead_id=${lead.id}`), 200)
          expect(logs.meta.total).toBe(0)
          expect(Option.getOrThrow(yield* removalOf(gw.organizationId, lead.id)).removed_from).toBe("claimed")
        }))

      it.effect("in a call: 200 with call_in_progress; the call is not cut, its log is written, no retry follows", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { retry_config: { max_retries: 3, retry_interval_minutes: 1 } })
          const lead = yield* addLead(gw, campaign.id)
          const dial = yield* dialLead(lead.id)
          const removal = expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 200)
          expect(removal).toEqual({ message: "Lead removed from campaign.", lead_id: lead.id, removed_from: "in_call", call_in_progress: true })
          expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`), 404, "LeadNotFound")
          // The call ends on its own, unanswered: retryable, but the lead was removed.
          const result = yield* finish(dial, "no_answer")
          expect(result).toMatchObject({ retry: false, removed: true })
          const log = expectStatus(yield* call(gw, "GET", `/v1/call-logs/${dial.call_log_id}`), 200)
          expect(log).toMatchObject({ status: "no_answer", end_reason: "user_did_not_pick_up", lead_id: lead.id, attempt: 1 })
          const removed = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}&status=removed`), 200)
          expect(removed.data.map((l: Json) => [l.id, l.attempts])).toEqual([[lead.id, 1]])
        }))

      it.effect("called (completed or failed): 200; every call log stays queryable", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, { max_concurrent_calls: 3 })
          const done = yield* addLead(gw, campaign.id)
          const failed = yield* addLead(gw, campaign.id)
          yield* addLead(gw, campaign.id, gw.apiKey, { notes: { keeps: "the campaign running" } })
          const doneDial = yield* callLead(done.id, "completed", 42)
          const failedDial = yield* callLead(failed.id, "failed")
          for (const [lead, dial] of [[done, doneDial], [failed, failedDial]] as const) {
            const removal = expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 200)
            expect(removal).toMatchObject({ removed_from: "called", call_in_progress: false })
            expectStatus(yield* call(gw, "GET", `/v1/call-logs/${dial.call_log_id}`), 200)
          }
          const logs = expectStatus(yield* call(gw, "GET", `/v1/call-logs/campaign/${campaign.id}`), 200)
          expect(logs.data.map((l: Json) => l.status).sort()).toEqual(["completed", "failed"])
          yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`)
        }))

      it.effect("removed already, missing, or another organization's: 404 and nothing changes", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const lead = yield* addLead(gw, campaign.id)
          const kept = yield* addLead(gw, campaign.id)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 200)
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          const again = expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}`), 404, "LeadNotFound")
          expect(again.lead_id).toBe(lead.id)
          expectFailure(yield* call(gw, "DELETE", "/v1/campaigns-leads/lead_00000000000000000000000000"), 404, "LeadNotFound")
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${kept.id}`, { key: other.apiKey }), 404, "LeadNotFound")
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${kept.id}?reason=${"x".repeat(501)}`), 400, "InvalidInput")
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${kept.id}?reason=%07bell`), 400, "InvalidInput")
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("its campaign is cancelled or completed: 409 and nothing changes", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const cancelled = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const pending = yield* addLead(gw, cancelled.id)
          expectStatus(yield* call(gw, "POST", `/v1/campaigns/${cancelled.id}/cancel`), 200)
          // A campaign whose only lead was called has drained: completed.
          const drained = yield* createCampaign(gw)
          const only = yield* addLead(gw, drained.id)
          yield* callLead(only.id, "completed")
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns/${drained.id}`), 200).status).toBe("completed")
          const before = yield* snapshot
          const terminal = expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${pending.id}`), 409, "CampaignTerminal")
          expect(terminal).toMatchObject({ campaign_id: cancelled.id, status: "cancelled" })
          expect(expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${only.id}`), 409, "CampaignTerminal").status).toBe("completed")
          expect(yield* snapshot).toEqual(before)
        }))

      // The query and the path as clients really send them: the reason decoded as sent (`+`,
      // percent-escapes, an empty value, a malformed escape kept as sent), unknown parameters
      // ignored, a repeated one refused; ids that name no lead or that the path refuses; the key read as the bearer scheme
      // reads it (surrounding spaces trimmed), a trailing slash taken as the same path.
      it.effect("the reason as sent, ids and keys in every shape: each answer, and the audit records it leaves", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const lead: Array<string> = []
          for (let i = 0; i < 6; i++) lead.push((yield* addLead(gw, campaign.id)).id)
          const steps: ReadonlyArray<readonly [path: string, status: number, code?: string | undefined, authorization?: string]> = [
            [`/v1/campaigns-leads/${lead[0]}?reason=asked+by+phone`, 200],
            [`/v1/campaigns-leads/${lead[1]}?reason=%E2%9C%93%20do%20not%20call%3Dever`, 200],
            [`/v1/campaigns-leads/${lead[2]}?reason=a&reason=b`, 400, "InvalidInput"],
            [`/v1/campaigns-leads/${lead[2]}?reason=%ZZ%`, 200],
            [`/v1/campaigns-leads/${lead[3]}?unknown=1&reason=`, 200],
            [`/v1/campaigns-leads/${lead[4]}?reason=a=b&&x`, 200],
            ["/v1/campaigns-leads/not-a-lead-id", 404, "LeadNotFound"],
            [`/v1/campaigns-leads/${"a".repeat(65)}`, 400, "InvalidInput"],
            ["/v1/campaigns-leads/lead%5Fx", 404, "LeadNotFound"],
            [`/v1/campaigns-leads/${lead[5]}`, 401, "Unauthorized", `Basic ${gw.apiKey}`],
            [`/v1/campaigns-leads/${lead[5]}/`, 200, undefined, `Bearer   ${gw.apiKey}  `]
          ]
          const answers = []
          for (const [path, , , authorization] of steps) {
            const reply = yield* call(gw, "DELETE", path, authorization === undefined ? {} : { key: null, headers: { authorization } })
            answers.push([path, reply.status, reply.status === 200 ? undefined : reply.json?.code])
          }
          expect(answers).toEqual(steps.map(([path, status, code]) => [path, status, code]))
          const reasons = []
          for (const id of lead) reasons.push(Option.map(yield* removalOf(gw.organizationId, id), (r) => r.reason))
          expect(reasons).toEqual([
            Option.some("asked by phone"),
            Option.some("\u2713 do not call=ever"),
            Option.some("%ZZ%"),
            Option.some(""),
            Option.some("a=b"),
            Option.some(null)
          ])
        }))
    })

    it.effect("GET one lead: 404 for another organization's; 400 for a malformed id", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
        const lead = yield* addLead(gw, campaign.id)
        const other = yield* gw.newOrganization()
        expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`, { key: other.apiKey }), 404, "LeadNotFound")
        expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${"é".repeat(3)}`), 400, "InvalidInput")
        expect(freshPhone()).toMatch(/^\+1415\d{7}$/)
      }))
  })
}
