import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import type { Reply } from "./support.js"
import type { Json } from "./support.js"
import { call, createCampaign, expectFailure, expectStatus, snapshot } from "./support.js"

const engines = await testEngines()
const FUTURE = { scheduled_at: "2099-01-01T00:00:00.000Z" }

const form = (csv: string, field = "file") => {
  const fd = new FormData()
  fd.append(field, new Blob([csv], { type: "text/csv" }), "leads.csv")
  return fd
}

const upload = (campaignId: string, body: FormData | string, key?: string, headers?: Record<string, string>) =>
  Effect.flatMap(TestGateway, (gw) =>
    call(gw, "POST", `/v1/campaigns-leads/upload-file/${campaignId}`, {
      body,
      ...(key !== undefined ? { key } : {}),
      ...(headers !== undefined ? { headers } : {})
    }))

const leadsOf = (campaignId: string) =>
  Effect.flatMap(TestGateway, (gw) =>
    Effect.map(call(gw, "GET", `/v1/campaigns-leads?campaign_id=${campaignId}&limit=100`), (r: Reply) => expectStatus(r, 200).data as Array<Json>))

/** A rejected upload: the envelope, and not one row changed anywhere. */
const rejected = (campaignId: string, body: FormData | string, status: number, code: string, headers?: Record<string, string>) =>
  Effect.gen(function*() {
    const before = yield* snapshot
    const error = expectFailure(yield* upload(campaignId, body, undefined, headers), status, code)
    expect(yield* snapshot).toEqual(before)
    return error
  })

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`CSV upload on ${engine}`, (it) => {
    describe("POST /v1/campaigns-leads/upload-file/{campaignId}", () => {
      it.effect("BOM, CRLF, quoted commas and line breaks, country codes, notes; rows without a number skipped and counted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const csv = "\ufeffphone_number,Country_Code,name,plan,comment\r\n" +
            "+14155550100,,\"Doe, Jane\",gold,\"line one\r\nline two\"\r\n" +
            "4155550101,1,Bob,,\r\n" +
            ",,No Number,silver,\r\n" +
            "\r\n" +
            "020 7183 8750,44,\"Ann \"\"The Lead\"\"\",bronze,x\r\n"
          const result = expectStatus(yield* upload(campaign.id, form(csv)), 201)
          expect(result).toEqual({
            campaign_id: campaign.id,
            leads_created: 3,
            leads_skipped: 1,
            skipped: [],
            skipped_unlisted: 0,
            message: expect.stringContaining("3 leads")
          })
          const leads = yield* leadsOf(campaign.id)
          expect(leads.map((l) => [l.phone_number, l.name, l.notes])).toEqual([
            ["+14155550100", "Doe, Jane", { plan: "gold", comment: "line one\r\nline two" }],
            ["+14155550101", "Bob", {}],
            ["+442071838750", "Ann \"The Lead\"", { plan: "bronze", comment: "x" }]
          ])
          expect(new Set(leads.map((l) => l.scheduled_at))).toEqual(new Set(["2099-01-01T00:00:00.000Z"]))
          const counters = expectStatus(yield* call(gw, "GET", `/v1/campaigns/${campaign.id}`), 200)
          expect(counters).toMatchObject({ total_leads: 3, pending_leads: 3 })
        }))

      it.effect("any invalid number rejects the whole file, naming every bad row; nothing is inserted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const csv = "phone_number,name\n+14155550100,Ok\n12345,Short\n+14155550101,Ok\nabc,Letters\n4155550102,No country\n"
          const error = yield* rejected(campaign.id, form(csv), 400, "InvalidInput")
          expect(error.message[0]).toBe("file: 3 invalid rows; nothing was imported")
          expect(error.message.slice(1).map((m: string) => m.split(":")[0])).toEqual(["row 3", "row 5", "row 6"])
          expect(error.message[1]).toContain("phone_number")
          expect(yield* leadsOf(campaign.id)).toEqual([])
        }))

      const broken: ReadonlyArray<readonly [string, string, string]> = [
        ["an empty file", "", "file: is empty"],
        ["only a BOM and blank lines", "\ufeff\r\n\r\n", "file: is empty"],
        ["a header and no rows", "phone_number,name\n", "file: has a header but no rows"],
        ["no phone_number column", "phone,name\n+14155550100,A\n", "header: a phone_number column is required"],
        ["a column without a name", "phone_number,,name\n+14155550100,x,A\n", "header: column 2 has no name"],
        ["a column twice", "phone_number,plan,plan\n+14155550100,a,b\n", "header: column \"plan\" appears twice"],
        [
          "sixteen note columns",
          `phone_number,name,${Array.from({ length: 16 }, (_, i) => `n${i}`).join(",")}\n+14155550100,A,${"x,".repeat(15)}x\n`,
          "header: at most 15 columns besides phone_number, country_code and name"
        ],
        ["a row wider than the header", "phone_number,name\n+14155550100,A,extra\n", "row 2: has 3 fields, the header has 2"],
        ["a quote never closed", "phone_number,name\n+14155550100,\"A\n", "row 2: a quoted field is never closed"],
        ["a note value too long", `phone_number,plan\n+14155550100,${"x".repeat(2001)}\n`, "row 2: plan must be at most 2000 characters"],
        ["a NUL character", "phone_number,name\n+14155550100,A\u0000B\n", "row 2: contains a NUL character"]
      ]
      for (const [what, csv, line] of broken) {
        it.effect(`400, nothing inserted: ${what}`, () =>
          Effect.gen(function*() {
            const gw = yield* TestGateway
            const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
            const error = yield* rejected(campaign.id, form(csv), 400, "InvalidInput")
            expect(error.message.join("\n")).toContain(line)
          }))
      }

      it.effect("fifteen note columns are fine", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const notes = Array.from({ length: 15 }, (_, i) => `n${i}`)
          const csv = `phone_number,country_code,name,${notes.join(",")}\n4155550100,1,A,${notes.join(",")}\n`
          expect(expectStatus(yield* upload(campaign.id, form(csv)), 201).leads_created).toBe(1)
          expect(Object.keys((yield* leadsOf(campaign.id))[0].notes)).toHaveLength(15)
        }))

      it.effect("over 10 MiB: 413, nothing inserted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const row = "+14155550100,A name long enough to fill the file quickly,plan\n"
          const csv = "phone_number,name,plan\n" + row.repeat(Math.ceil((10 * 1024 * 1024 + 100) / row.length))
          const error = yield* rejected(campaign.id, form(csv), 413, "PayloadTooLarge")
          expect(error.limit_bytes).toBe(10 * 1024 * 1024)
        }))

      it.effect("over 10 MiB sent chunked (no Content-Length): 413 all the same, nothing inserted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const before = yield* snapshot
          const row = "+14155550100,A name long enough to fill the file quickly,plan\n"
          const csv = "phone_number,name,plan\n" + row.repeat(Math.ceil((10 * 1024 * 1024 + 100) / row.length))
          const boundary = "chunkedboundary"
          const bytes = new TextEncoder().encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`
          )
          const reply = yield* Effect.promise(async () => {
            const stream = new ReadableStream<Uint8Array>({
              start(controller) {
                for (let i = 0; i < bytes.length; i += 256 * 1024) controller.enqueue(bytes.subarray(i, i + 256 * 1024))
                controller.close()
              }
            })
            const res = await fetch(`${gw.baseUrl}/v1/campaigns-leads/upload-file/${campaign.id}`, {
              method: "POST",
              headers: { authorization: `Bearer ${gw.apiKey}`, "content-type": `multipart/form-data; boundary=${boundary}` },
              body: stream,
              duplex: "half"
            } as RequestInit)
            return { status: res.status, json: await res.json() }
          })
          expect(reply).toMatchObject({ status: 413, json: { statusCode: 413, code: "PayloadTooLarge" } })
          expect(yield* snapshot).toEqual(before)
        }))

      it.effect("not multipart: 415; no part named file: 400", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          yield* rejected(campaign.id, "phone_number\n+14155550100\n", 415, "UnsupportedMediaType", { "content-type": "text/csv" })
          const noFile = yield* rejected(campaign.id, form("phone_number\n+14155550100\n", "upload"), 400, "InvalidInput")
          expect(noFile.message).toEqual(["file: is required (a multipart part named file)"])
          yield* rejected(campaign.id, "--x\r\ngarbage", 400, "InvalidInput", { "content-type": "multipart/form-data; boundary=x" })
          yield* rejected(campaign.id, "no boundary at all", 400, "InvalidInput", { "content-type": "multipart/form-data" })
        }))

      it.effect("another organization's campaign or none: 404; a cancelled one: 409; nothing inserted", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const other = yield* gw.newOrganization()
          const before = yield* snapshot
          expectFailure(yield* upload(campaign.id, form("phone_number\n+14155550100\n"), other.apiKey), 404, "CampaignNotFound")
          expectFailure(yield* upload("cmp_nope", form("phone_number\n+14155550100\n")), 404, "CampaignNotFound")
          expect(yield* snapshot).toEqual(before)
          expectStatus(yield* call(gw, "POST", `/v1/campaigns/${campaign.id}/cancel`), 200)
          yield* rejected(campaign.id, form("phone_number\n+14155550100\n"), 409, "CampaignTerminal")
        }))

      it.effect("twenty thousand rows in one all-or-nothing insert", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const rows = Array.from({ length: 20_000 }, (_, i) => `+1628${String(i).padStart(7, "0")},Lead ${i},${i % 3}`)
          const result = expectStatus(yield* upload(campaign.id, form(["phone_number,name,segment", ...rows].join("\n") + "\n")), 201)
          expect(result).toMatchObject({ leads_created: 20_000, leads_skipped: 0 })
          expect(expectStatus(yield* call(gw, "GET", `/v1/campaigns/${campaign.id}`), 200).total_leads).toBe(20_000)
        }))
    })
  })
}
