import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import type { Json, Reply } from "./support.js"
import { addLead, call, createCampaign, expectFailure, expectStatus, freshPhone, snapshot } from "./support.js"

const engines = await testEngines()
const FUTURE = { scheduled_at: "2099-01-01T00:00:00.000Z" }

/** A CSV upload into the campaign: its reply. */
const upload = (campaignId: string, csv: string) =>
  Effect.flatMap(TestGateway, (gw) => {
    const fd = new FormData()
    fd.append("file", new Blob([csv], { type: "text/csv" }), "leads.csv")
    return call(gw, "POST", `/v1/campaigns-leads/upload-file/${campaignId}`, { body: fd })
  })

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`duplicate numbers in a campaign on ${engine}`, (it) => {
    const liveWith = (campaignId: string, phone: string) =>
      Effect.flatMap(TestGateway, (gw) =>
        Effect.map(
          call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaignId}&phone_number=${encodeURIComponent(phone)}`),
          (r: Reply) => (expectStatus(r, 200).data as Array<Json>).map((l) => l.id)
        ))

    describe("POST /v1/campaigns-leads", () => {
      it.effect("a held number is 409 DuplicateLead naming the lead; free again once removed; another campaign is fine", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const phone = freshPhone()
          const first = yield* addLead(gw, campaign.id, gw.apiKey, { phoneNumber: phone })
          // Another open lead, so that removing the first does not complete the campaign.
          yield* addLead(gw, campaign.id)
          const before = yield* snapshot
          const dup = expectFailure(
            yield* call(gw, "POST", "/v1/campaigns-leads", { body: { campaignId: campaign.id, phoneNumber: phone, name: "Twin" } }),
            409,
            "DuplicateLead"
          )
          expect(dup).toMatchObject({ error: "Conflict", lead_id: first.id, campaign_id: campaign.id, phone_number: phone })
          expect(dup.message).toContain(first.id as string)
          expect(yield* snapshot).toEqual(before)
          // The same number split into national number and country code is the same number.
          const split = yield* call(gw, "POST", "/v1/campaigns-leads", {
            body: { campaignId: campaign.id, phoneNumber: (phone as string).slice(2), countryCode: "1" }
          })
          expect(expectFailure(split, 409, "DuplicateLead").lead_id).toBe(first.id)
          const other = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const elsewhere = yield* addLead(gw, other.id, gw.apiKey, { phoneNumber: phone })
          expect(elsewhere.campaign_id).toBe(other.id)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${first.id}`), 200)
          const again = yield* addLead(gw, campaign.id, gw.apiKey, { phoneNumber: phone })
          expect(again.id).not.toBe(first.id)
          expect(yield* liveWith(campaign.id, phone)).toEqual([again.id])
        }))

      it.effect("ten concurrent adds of one number: exactly one lead, nine 409s naming it", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const phone = freshPhone()
          const replies = yield* Effect.all(
            Array.from({ length: 10 }, (_, i) =>
              call(gw, "POST", "/v1/campaigns-leads", { body: { campaignId: campaign.id, phoneNumber: phone, name: `Racer ${i}` } })),
            { concurrency: "unbounded" }
          )
          const created = replies.filter((r) => r.status === 201)
          expect(created).toHaveLength(1)
          const winner = created[0]!.json.id
          for (const r of replies.filter((r) => r.status !== 201)) {
            expect(expectFailure(r, 409, "DuplicateLead").lead_id).toBe(winner)
          }
          expect(yield* liveWith(campaign.id, phone)).toEqual([winner])
        }))
    })

    describe("PATCH /v1/campaigns-leads/{id}", () => {
      it.effect("changing the number to one another live lead holds is 409; the lead is unchanged; its own number is fine", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const a = yield* addLead(gw, campaign.id)
          const b = yield* addLead(gw, campaign.id)
          const before = yield* snapshot
          const refused = yield* call(gw, "PATCH", `/v1/campaigns-leads/${b.id}`, { body: { phoneNumber: a.phone_number, name: "B2" } })
          expect(expectFailure(refused, 409, "DuplicateLead")).toMatchObject({ lead_id: a.id, phone_number: a.phone_number })
          expect(yield* snapshot).toEqual(before)
          const same = yield* call(gw, "PATCH", `/v1/campaigns-leads/${b.id}`, { body: { phoneNumber: b.phone_number, name: "B2" } })
          expect(expectStatus(same, 200)).toMatchObject({ name: "B2", phone_number: b.phone_number })
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${a.id}`), 200)
          const moved = yield* call(gw, "PATCH", `/v1/campaigns-leads/${b.id}`, { body: { phoneNumber: a.phone_number } })
          expect(expectStatus(moved, 200).phone_number).toBe(a.phone_number)
        }))

      it.effect("concurrent corrections and adds to one number: one live lead holds it", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const leads = yield* Effect.all(Array.from({ length: 5 }, () => addLead(gw, campaign.id)))
          const phone = freshPhone()
          const replies = yield* Effect.all(
            [
              ...leads.map((l) => call(gw, "PATCH", `/v1/campaigns-leads/${l.id}`, { body: { phoneNumber: phone } })),
              ...leads.map(() => call(gw, "POST", "/v1/campaigns-leads", { body: { campaignId: campaign.id, phoneNumber: phone } }))
            ],
            { concurrency: "unbounded" }
          )
          const ok = replies.filter((r) => r.status === 200 || r.status === 201)
          expect(ok).toHaveLength(1)
          for (const r of replies.filter((r) => r.status !== 200 && r.status !== 201)) {
            expect(expectFailure(r, 409, "DuplicateLead").lead_id).toBe(ok[0]!.json.id)
          }
          expect(yield* liveWith(campaign.id, phone)).toEqual([ok[0]!.json.id])
        }))
    })

    describe("POST /v1/campaigns-leads/upload-file/{campaignId}", () => {
      it.effect("held numbers and repeats within the file are skipped and listed with their rows; the rest is added", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const held = yield* addLead(gw, campaign.id)
          const removed = yield* addLead(gw, campaign.id)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${removed.id}`), 200)
          const [p1, p2] = [freshPhone(), freshPhone()]
          const csv = [
            "phone_number,name",
            `${held.phone_number},Held`, // row 2
            `${p1},One`, // row 3
            ",No number", // row 4
            `${p1},One again`, // row 5
            `${removed.phone_number},Back`, // row 6: a removed lead's number is free
            `${p2},Two` // row 7
          ].join("\n")
          const reply = yield* upload(campaign.id, csv)
          const result = expectStatus(reply, 201)
          const live = (yield* Effect.flatMap(
            call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}&limit=100`),
            (r) => Effect.succeed(expectStatus(r, 200).data as Array<Json>)
          ))
          const one = live.find((l) => l.phone_number === p1)!
          expect(result).toEqual({
            campaign_id: campaign.id,
            leads_created: 3,
            leads_skipped: 3,
            skipped: [
              { row: 2, phone_number: held.phone_number, reason: "duplicate", lead_id: held.id },
              { row: 5, phone_number: p1, reason: "duplicate", lead_id: one.id }
            ],
            skipped_unlisted: 0,
            message: "3 leads added to the campaign; 1 row without a phone number skipped; 2 rows with a number the campaign already holds skipped."
          })
          expect(live.map((l) => [l.phone_number, l.name])).toEqual([
            [held.phone_number, held.name],
            [p1, "One"],
            [removed.phone_number, "Back"],
            [p2, "Two"]
          ])
          // Uploading the same file again adds nothing and lists every numbered row.
          const again = expectStatus(
            yield* upload(campaign.id, csv),
            201
          )
          expect(again).toMatchObject({ leads_created: 0, leads_skipped: 6, skipped_unlisted: 0 })
          expect((again.skipped as Array<Json>).map((s) => s.row)).toEqual([2, 3, 5, 6, 7])
        }))

      it.effect("over 1,000 duplicates: the first 1,000 listed, the rest counted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const phone = freshPhone()
          const csv = ["phone_number", ...Array.from({ length: 1_201 }, () => phone)].join("\n")
          const result = expectStatus(yield* upload(campaign.id, csv), 201)
          expect(result).toMatchObject({ leads_created: 1, leads_skipped: 1_200, skipped_unlisted: 200 })
          const skipped = result.skipped as Array<Json>
          expect(skipped).toHaveLength(1_000)
          expect(skipped[0]).toMatchObject({ row: 3, phone_number: phone, reason: "duplicate" })
          expect(skipped.at(-1)!.row).toBe(1_002)
        }))

      it.effect("concurrent uploads of one file: each number lands once", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const phones = Array.from({ length: 50 }, () => freshPhone())
          const csv = ["phone_number", ...phones].join("\n")
          const results = yield* Effect.all(
            Array.from({ length: 4 }, () => upload(campaign.id, csv)),
            { concurrency: "unbounded" }
          )
          const created = results.map((r) => expectStatus(r, 201).leads_created as number)
          expect(created.reduce((a, b) => a + b, 0)).toBe(50)
          const total = expectStatus(yield* call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaign.id}&limit=1`), 200).meta
          expect(total).toMatchObject({ total: 50 })
        }))
    })
  })
}
