import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { randomToken } from "@leadq/domain"
import { Effect, Either } from "effect"
import type { TestGatewayInfo } from "../src/testing/index.js"
import { LeadQueue, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { claimLead, dialLead } from "./staging.js"
import type { Json } from "./support.js"
import { addLead, call, createCampaign, expectFailure, expectStatus, freshPhone, snapshot } from "./support.js"

const engines = await testEngines()
/** Not due for a long time: the leads of these tests are claimed by the tests themselves. */
const FUTURE = { scheduled_at: "2099-01-01T00:00:00.000Z" }
const LEASE = 60_000

const suppress = (gw: TestGatewayInfo, key: string, body: Record<string, unknown>) =>
  call(gw, "POST", "/v1/suppressions", { key, body })

const path = (phone: string) => `/v1/suppressions/${encodeURIComponent(phone)}`

const form = (csv: string) => {
  const fd = new FormData()
  fd.append("file", new Blob([csv], { type: "text/csv" }), "numbers.csv")
  return fd
}

const newOrg = (gw: TestGatewayInfo) => gw.newOrganization(`suppressions-${randomToken(10)}`)

const sqlRows = (statement: string, ...params: Array<unknown>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(statement, params)).pipe(Effect.orDie)

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`suppressions over HTTP on ${engine}`, (it) => {
    describe("POST/GET/DELETE /v1/suppressions", () => {
      it.effect("suppress (201), again with a new reason (200), get, list with a filter, lift (audited), then 404", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const phone = freshPhone()
          const created = expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, reason: "asked by phone" }), 201)
          expect(created).toMatchObject({ phone_number: phone, reason: "asked by phone", expires_at: null })
          expect(created.api_key_id).toMatch(/^key_/)
          const expires = new Date(Date.now() + 86_400_000).toISOString()
          const updated = expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, reason: "by email", expires_at: expires }), 200)
          expect(updated).toMatchObject({ phone_number: phone, reason: "by email", expires_at: expires, created_at: created.created_at })

          const other = freshPhone()
          expectStatus(yield* suppress(gw, org.apiKey, { phoneNumber: other.slice(2), countryCode: "+1" }), 201)
          expect(expectStatus(yield* call(gw, "GET", path(phone), { key: org.apiKey }), 200)).toMatchObject({ reason: "by email" })
          const page = expectStatus(yield* call(gw, "GET", "/v1/suppressions", { key: org.apiKey }), 200)
          expect(page.meta.total).toBe(2)
          expect(page.data.map((s: Json) => s.phone_number)).toEqual([phone, other])
          const filtered = expectStatus(yield* call(gw, "GET", `/v1/suppressions?phone_number=${encodeURIComponent(other)}`, { key: org.apiKey }), 200)
          expect(filtered.data.map((s: Json) => s.phone_number)).toEqual([other])

          const lifted = expectStatus(yield* call(gw, "DELETE", path(phone), { key: org.apiKey }), 200)
          expect(lifted).toMatchObject({ suppression: { phone_number: phone, reason: "by email" }, lifted_by: created.api_key_id })
          expectFailure(yield* call(gw, "GET", path(phone), { key: org.apiKey }), 404, "SuppressionNotFound")
          expectFailure(yield* call(gw, "DELETE", path(phone), { key: org.apiKey }), 404, "SuppressionNotFound")
          const audit = yield* sqlRows(`SELECT * FROM suppression_lifts WHERE organization_id = ${engine === "pg" ? "$1" : "?"}`, org.organizationId)
          expect(audit).toHaveLength(1)
          expect(audit[0]).toMatchObject({ phone_number: phone, reason: "by email", suppressed_by: created.api_key_id, lifted_by: created.api_key_id })
        }))

      it.effect("GET /v1/suppressions/{phone}/lifts: every lift, newest first, paged; 404 for a number never suppressed; per organization", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const phone = freshPhone()
          const lifts = (query = "", key = org.apiKey) => call(gw, "GET", `${path(phone)}/lifts${query}`, { key })
          const never = expectFailure(yield* lifts(), 404, "SuppressionNotFound")
          expect(never.message).toBe(`${phone} was never suppressed: it has no suppression and no lift.`)

          const first = expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, reason: "asked by phone" }), 201)
          // Suppressed, never lifted: an empty history.
          expect(expectStatus(yield* lifts(), 200)).toEqual({ data: [], meta: expect.objectContaining({ total: 0 }) })
          const firstLift = expectStatus(yield* call(gw, "DELETE", path(phone), { key: org.apiKey }), 200)
          const expires = new Date(Date.now() + 86_400_000).toISOString()
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, reason: "asked again", expires_at: expires }), 201)
          const secondLift = expectStatus(yield* call(gw, "DELETE", path(phone), { key: org.apiKey }), 200)
          // Suppressed a third time: the history is there whether or not the number is suppressed now.
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone }), 201)

          const page = expectStatus(yield* lifts(), 200)
          expect(page.meta.total).toBe(2)
          expect(page.data).toEqual([
            {
              id: expect.stringMatching(/^lift_/),
              phone_number: phone,
              reason: "asked again",
              expires_at: expires,
              suppressed_by: org.apiKeyId,
              suppressed_at: expect.any(String),
              lifted_by: org.apiKeyId,
              lifted_at: secondLift.lifted_at
            },
            {
              id: expect.stringMatching(/^lift_/),
              phone_number: phone,
              reason: "asked by phone",
              expires_at: null,
              suppressed_by: org.apiKeyId,
              suppressed_at: first.created_at,
              lifted_by: org.apiKeyId,
              lifted_at: firstLift.lifted_at
            }
          ])
          const second = expectStatus(yield* lifts("?limit=1&page=2"), 200)
          expect(second.data.map((l: Json) => l.reason)).toEqual(["asked by phone"])
          expect(second.meta).toMatchObject({ total: 2, page: 2, limit: 1 })

          // Another organization: none of it.
          const other = yield* newOrg(gw)
          expectFailure(yield* lifts("", other.apiKey), 404, "SuppressionNotFound")
          expectFailure(yield* call(gw, "GET", "/v1/suppressions/not-a-number/lifts", { key: org.apiKey }), 400, "InvalidInput")
          expectFailure(yield* lifts("?limit=0"), 400, "InvalidInput")
        }))

      it.effect("bad input is a 400 envelope and writes nothing", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const before = yield* snapshot
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: "4155550123" }), 400, "InvalidInput")
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: "+1415" }), 400, "InvalidInput")
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: freshPhone(), colour: "red" }), 400, "InvalidInput")
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: freshPhone(), expires_at: "2001-01-01T00:00:00Z" }), 400, "InvalidInput")
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: freshPhone(), reason: "x".repeat(501) }), 400, "InvalidInput")
          expectFailure(yield* suppress(gw, gw.apiKey, { phone_number: freshPhone(), phoneNumber: "4155550123" }), 400, "InvalidInput")
          expectFailure(yield* call(gw, "GET", "/v1/suppressions/not-a-number"), 400, "InvalidInput")
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("bad input around the list (issue 11's \"Done when\"): each a 400 envelope naming the field, nothing written", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const lead = yield* addLead(gw, campaign.id, org.apiKey)
          const before = yield* snapshot
          const refused = (reply: Parameters<typeof expectFailure>[0], field: string) =>
            expect([expectFailure(reply, 400, "InvalidInput").message].flat().join("\n")).toContain(field)
          // Malformed numbers, every way a number comes in.
          refused(yield* suppress(gw, org.apiKey, { phone_number: 4155550123 }), "phone_number")
          refused(yield* suppress(gw, org.apiKey, { phoneNumber: "call me", countryCode: "1" }), "phoneNumber")
          refused(yield* call(gw, "GET", "/v1/suppressions?phone_number=4155550123", { key: org.apiKey }), "phone_number")
          refused(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey, body: { phoneNumber: "+1415" } }), "phone")
          refused(yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
            key: org.apiKey,
            body: { campaign_id: campaign.id, phone_numbers: ["415-555-0100"], suppress: true }
          }), "phone_numbers.0")
          // A 16th note, on a correction as on an add.
          const notes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))
          refused(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey, body: { notes } }), "at most 15 keys, got 16")
          // Unknown fields and values.
          refused(yield* suppress(gw, org.apiKey, { phone_number: freshPhone(), permanent: true }), "permanent: is not a known field")
          refused(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}?suppress=yes`, { key: org.apiKey }), "suppress")
          refused(yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", { key: org.apiKey, body: { lead_ids: [lead.id], suppress: "true" } }), "suppress")
          // An expiry that is not in the future, or not a date.
          refused(yield* suppress(gw, org.apiKey, { phone_number: freshPhone(), expires_at: new Date(Date.now() - 1000).toISOString() }), "expires_at: must be in the future")
          refused(yield* suppress(gw, org.apiKey, { phone_number: freshPhone(), expires_at: "next tuesday" }), "expires_at")
          expect(yield* snapshot).toEqual(before)
          // And the lead is still there, pending, with its number.
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey }), 200)).toMatchObject({ status: "pending", phone_number: lead.phone_number })
        }))

      it.effect("tenancy: another organization sees none of it, and its own lead with the number is added and dialled", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const alice = yield* newOrg(gw)
          const bob = yield* newOrg(gw)
          const phone = freshPhone()
          expectStatus(yield* suppress(gw, alice.apiKey, { phone_number: phone }), 201)
          expectFailure(yield* call(gw, "GET", path(phone), { key: bob.apiKey }), 404, "SuppressionNotFound")
          expectFailure(yield* call(gw, "DELETE", path(phone), { key: bob.apiKey }), 404, "SuppressionNotFound")
          expect(expectStatus(yield* call(gw, "GET", "/v1/suppressions", { key: bob.apiKey }), 200).data).toEqual([])
          const campaign = yield* createCampaign(gw, bob.apiKey)
          const lead = yield* addLead(gw, campaign.id, bob.apiKey, { phoneNumber: phone })
          const dial = yield* dialLead(lead.id)
          expect(dial.phone_number).toBe(phone)
          // Still suppressed in Alice's organization.
          expectStatus(yield* call(gw, "GET", path(phone), { key: alice.apiKey }), 200)
        }))

      it.effect("an expired suppression is not listed, not found, and not enforced", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const phone = freshPhone()
          const campaign = yield* createCampaign(gw, org.apiKey)
          const lead = yield* addLead(gw, campaign.id, org.apiKey, { phoneNumber: phone })
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, expires_at: new Date(Date.now() + 60_000).toISOString() }), 201)
          // Let it run out (the API refuses a past expires_at, so the row is aged in place).
          yield* sqlRows(`UPDATE suppressions SET expires_at = ${Date.now() - 1000} WHERE phone_number = '${phone}'`)
          expectFailure(yield* call(gw, "GET", path(phone), { key: org.apiKey }), 404, "SuppressionNotFound")
          expect(expectStatus(yield* call(gw, "GET", "/v1/suppressions", { key: org.apiKey }), 200).meta.total).toBe(0)
          // Addable again: in another campaign (this one holds the number already: DuplicateLead).
          const other = yield* createCampaign(gw, org.apiKey)
          yield* addLead(gw, other.id, org.apiKey, { phoneNumber: phone })
          const dial = yield* dialLead(lead.id)
          expect(dial.attempt).toBe(1)
          // Suppressing it again starts a new suppression: 201.
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone }), 201)
        }))
    })

    describe("enforcement", () => {
      it.effect("a lead claimed before its number was suppressed is not dialled: removed from claimed, reason suppressed, no call log", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey)
          const phone = freshPhone()
          const lead = yield* addLead(gw, campaign.id, org.apiKey, { phoneNumber: phone })
          const claim = yield* claimLead(lead.id)
          const suppression = expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone, reason: "opted out" }), 201)
          const queue = yield* LeadQueue
          const [answer] = yield* Effect.orDie(queue.startDials([claim], LEASE))
          expect(Either.isLeft(answer!) && answer.left._tag === "DialCancelled" && answer.left.reason).toBe("number_suppressed")
          expectFailure(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey }), 404, "LeadNotFound")
          const record = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads/${lead.id}/removal`, { key: org.apiKey }), 200)
          expect(record).toMatchObject({ removed_from: "claimed", reason: "suppressed", attempt: 0, api_key_id: suppression.api_key_id })
          const logs = expectStatus(yield* call(gw, "GET", `/v1/call-logs?campaign_id=${campaign.id}`, { key: org.apiKey }), 200)
          expect(logs.data).toEqual([])
        }))

      it.effect("adding a lead with a suppressed number is 409 NumberSuppressed naming it; nothing is written", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey)
          const phone = freshPhone()
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone }), 201)
          const before = yield* snapshot
          const error = expectFailure(
            yield* call(gw, "POST", "/v1/campaigns-leads", { key: org.apiKey, body: { campaignId: campaign.id, phoneNumber: phone } }),
            409,
            "NumberSuppressed"
          )
          expect(error.phone_number).toBe(phone)
          expect(error.message).toContain(phone)
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("correcting a lead's number to a suppressed one is 409 NumberSuppressed like an add; nothing is written", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const lead = yield* addLead(gw, campaign.id, org.apiKey)
          const phone = freshPhone()
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone }), 201)
          const before = yield* snapshot
          const error = expectFailure(
            yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey, body: { phoneNumber: phone, name: "Renamed" } }),
            409,
            "NumberSuppressed"
          )
          expect(error.phone_number).toBe(phone)
          expect(yield* snapshot).toEqual(before)
          // Same refusal through the phoneNumber + countryCode form; another number is still accepted.
          expectFailure(
            yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey, body: { phoneNumber: phone.slice(2), countryCode: "+1" } }),
            409,
            "NumberSuppressed"
          )
          const other = freshPhone()
          expect(expectStatus(yield* call(gw, "PATCH", `/v1/campaigns-leads/${lead.id}`, { key: org.apiKey, body: { phoneNumber: other } }), 200))
            .toMatchObject({ id: lead.id, phone_number: other })
        }))

      it.effect("a lead upload skips suppressed rows, naming them, and adds the rest", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const [a, b, c] = [freshPhone(), freshPhone(), freshPhone()]
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: b }), 201)
          const result = expectStatus(
            yield* call(gw, "POST", `/v1/campaigns-leads/upload-file/${campaign.id}`, { key: org.apiKey, body: form(`phone_number,name\n${a},A\n${b},B\n${c},C\n`) }),
            201
          )
          expect(result).toMatchObject({ leads_created: 2, leads_skipped: 1, skipped: [{ row: 3, phone_number: b, reason: "suppressed" }], skipped_unlisted: 0 })
          expect(result.skipped[0]).not.toHaveProperty("lead_id")
          const leads = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}`, { key: org.apiKey }), 200)
          expect(leads.data.map((l: Json) => l.phone_number).sort()).toEqual([a, c].sort())
        }))

      it.effect("one skipped list in file order: suppressed and duplicate rows of an upload, each with its reason", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const [held, sup, fresh] = [freshPhone(), freshPhone(), freshPhone()]
          const holder = expectStatus(
            yield* call(gw, "POST", "/v1/campaigns-leads", { key: org.apiKey, body: { campaignId: campaign.id, phoneNumber: held } }),
            201
          )
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: sup }), 201)
          const result = expectStatus(
            yield* call(gw, "POST", `/v1/campaigns-leads/upload-file/${campaign.id}`, {
              key: org.apiKey,
              body: form(`phone_number,name\n${held},H\n${sup},S\n${fresh},F\n,No phone\n${sup},S2\n${fresh},F2\n`)
            }),
            201
          )
          expect(result).toMatchObject({
            leads_created: 1,
            leads_skipped: 5,
            skipped: [
              { row: 2, phone_number: held, reason: "duplicate", lead_id: holder.id },
              { row: 3, phone_number: sup, reason: "suppressed" },
              { row: 6, phone_number: sup, reason: "suppressed" },
              { row: 7, phone_number: fresh, reason: "duplicate" }
            ],
            skipped_unlisted: 0
          })
          expect(result.skipped[1]).not.toHaveProperty("lead_id")
          expect(result.message).toContain("2 rows with a suppressed number skipped")
          const leads = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}`, { key: org.apiKey }), 200)
          expect(leads.data.map((l: Json) => l.phone_number).sort()).toEqual([held, fresh].sort())
          expect(result.skipped[3].lead_id).toBe(leads.data.find((l: Json) => l.phone_number === fresh).id)
        }))

      it.effect("adding a number both suppressed and held by the campaign answers NumberSuppressed (suppression first)", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const phone = freshPhone()
          expectStatus(yield* call(gw, "POST", "/v1/campaigns-leads", { key: org.apiKey, body: { campaignId: campaign.id, phoneNumber: phone } }), 201)
          const add = call(gw, "POST", "/v1/campaigns-leads", { key: org.apiKey, body: { campaignId: campaign.id, phoneNumber: phone } })
          expectFailure(yield* add, 409, "DuplicateLead")
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: phone }), 201)
          expect(expectFailure(yield* add, 409, "NumberSuppressed").phone_number).toBe(phone)
        }))

      it.effect("DELETE ?suppress=true removes and suppresses in one transaction; refused, it suppresses nothing", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const phone = freshPhone()
          const lead = yield* addLead(gw, campaign.id, org.apiKey, { phoneNumber: phone })
          const plain = yield* addLead(gw, campaign.id, org.apiKey)
          const other = freshPhone()
          const doomed = yield* addLead(gw, campaign.id, org.apiKey, { phoneNumber: other })
          const removal = expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${lead.id}?suppress=true&reason=stop`, { key: org.apiKey }), 200)
          expect(removal).toMatchObject({ lead_id: lead.id, removed_from: "pending", suppressed: true })
          expect(expectStatus(yield* call(gw, "GET", path(phone), { key: org.apiKey }), 200)).toMatchObject({ reason: "stop" })
          // Without the flag, the answer is as before.
          expect(expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${plain.id}`, { key: org.apiKey }), 200)).not.toHaveProperty("suppressed")

          // A cancelled campaign refuses the removal (409): the suppression does not happen either.
          expectStatus(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`, { key: org.apiKey }), 200)
          const before = yield* snapshot
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${doomed.id}?suppress=true`, { key: org.apiKey }), 409, "CampaignTerminal")
          expect(yield* snapshot).toEqual(before)
          expectFailure(yield* call(gw, "GET", path(other), { key: org.apiKey }), 404, "SuppressionNotFound")
        }))

      it.effect("bulk-remove with suppress: true suppresses the numbers with the removals", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const campaign = yield* createCampaign(gw, org.apiKey, FUTURE)
          const [a, b] = [freshPhone(), freshPhone()]
          const lead = yield* addLead(gw, campaign.id, org.apiKey, { phoneNumber: a })
          const result = expectStatus(
            yield* call(gw, "POST", "/v1/campaigns-leads/bulk-remove", {
              key: org.apiKey,
              body: { campaign_id: campaign.id, phone_numbers: [a, b], suppress: true, reason: "list" }
            }),
            200
          )
          expect(result).toMatchObject({ removed: 1, not_found: 1, suppressed: 2 })
          expect(result.results).toEqual([
            expect.objectContaining({ input: a, lead_id: lead.id, outcome: "removed", suppressed: true }),
            expect.objectContaining({ input: b, lead_id: null, outcome: "not_found", suppressed: true })
          ])
          const page = expectStatus(yield* call(gw, "GET", "/v1/suppressions", { key: org.apiKey }), 200)
          expect(page.data.map((s: Json) => s.phone_number).sort()).toEqual([a, b].sort())
        }))
    })

    describe("POST /v1/suppressions/upload-file", () => {
      it.effect("suppresses every number of the file; an existing one is updated", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const org = yield* newOrg(gw)
          const [a, b, c] = [freshPhone(), freshPhone(), freshPhone()]
          expectStatus(yield* suppress(gw, org.apiKey, { phone_number: a }), 201)
          const expires = new Date(Date.now() + 86_400_000).toISOString()
          const csv = `phone_number,country_code,reason,expires_at\n${a},,"said ""stop""",\n${b.slice(2)},1,,${expires}\n,,,\n${c},,,\n`
          const result = expectStatus(yield* call(gw, "POST", "/v1/suppressions/upload-file", { key: org.apiKey, body: form(csv) }), 201)
          expect(result).toMatchObject({ suppressed: 2, updated: 1 })
          expect(expectStatus(yield* call(gw, "GET", path(a), { key: org.apiKey }), 200).reason).toBe(`said "stop"`)
          expect(expectStatus(yield* call(gw, "GET", path(b), { key: org.apiKey }), 200).expires_at).toBe(expires)
          expect(expectStatus(yield* call(gw, "GET", "/v1/suppressions", { key: org.apiKey }), 200).meta.total).toBe(3)
        }))

      it.effect("an invalid row rejects the whole file with its row numbers; over 10 MiB is 413; nothing is written", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const before = yield* snapshot
          const bad = expectFailure(
            yield* call(gw, "POST", "/v1/suppressions/upload-file", {
              body: form(`phone_number,expires_at\n${freshPhone()},\n12345,\n${freshPhone()},2001-01-01T00:00:00Z\n`)
            }),
            400,
            "InvalidInput"
          )
          expect(bad.message).toEqual(expect.arrayContaining([expect.stringMatching(/^row 3: /), expect.stringMatching(/^row 4: expires_at/)]))
          expectFailure(yield* call(gw, "POST", "/v1/suppressions/upload-file", { body: form(`phone_number,colour\n${freshPhone()},red\n`) }), 400, "InvalidInput")
          const big = `phone_number\n` + `${freshPhone()}\n`.repeat(Math.ceil((10 * 1024 * 1024) / 13) + 10)
          expectFailure(yield* call(gw, "POST", "/v1/suppressions/upload-file", { body: form(big) }), 413, "PayloadTooLarge")
          expect(yield* snapshot).toEqual(before)
        }))
    })
  })
}
