import { expect, layer } from "@effect/vitest"
// The gateway's own test harness: a real gateway listening on a free port over a fresh database.
// Tests may start the app they talk to; the module boundary is about runtime code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TestGateway, testEngines, testGatewayLayer } from "@leadq/gateway/testing"
import type { E164 } from "@leadq/domain"
import { CampaignTerminal, DuplicateLead, InvalidInput, LeadNotFound, RetryConfig, Unauthorized } from "@leadq/domain"
import { Chunk, Effect, Option, Redacted, Stream } from "effect"
import { items, LeadqClient } from "../src/index.js"

const engines = await testEngines()

/** A client of the test gateway, with the test organization's key (or the one given). */
const clientOf = (key?: string) =>
  Effect.map(TestGateway, (gw) => LeadqClient.layer({ baseUrl: gw.baseUrl, apiKey: Redacted.make(key ?? gw.apiKey), retry: { baseDelay: 10 } }))

const withClient = <A, E>(program: Effect.Effect<A, E, LeadqClient>, key?: string) =>
  Effect.flatMap(clientOf(key), (client) => Effect.provide(program, client))

const newCampaign = (name = "Transport") =>
  Effect.flatMap(LeadqClient, (c) =>
    c.campaigns.create({
      payload: {
        name,
        agent_id: "agent_1",
        from_phone_number: "+14155550100" as E164,
        max_concurrent_calls: 1,
        retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })
      }
    }))

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`typed errors across the wire on ${engine}`, (it) => {
    it.effect("404 is LeadNotFound: catchTag works on the client's side of the wire", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const missing = "lead_0000000000000000000000zz"
        const error = yield* Effect.flip(leadq.leads.get({ path: { id: missing } }))
        expect(error).toBeInstanceOf(LeadNotFound)
        expect(error._tag).toBe("LeadNotFound")
        if (error._tag === "LeadNotFound") expect(error.lead_id).toBe(missing)
        const recovered = yield* leadq.leads.get({ path: { id: missing } }).pipe(
          Effect.as("found"),
          Effect.catchTag("LeadNotFound", (e) => Effect.succeed(`not found: ${e.lead_id}`))
        )
        expect(recovered).toBe(`not found: ${missing}`)
      })))

    it.effect("a removal answers its prior state; removing again is LeadNotFound", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const lead = yield* leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550111" } })
        const removal = yield* leadq.leads.remove({ path: { id: lead.id }, urlParams: { reason: "opt-out" } })
        expect(removal.removed_from).toBe("pending")
        expect(removal.lead_id).toBe(lead.id)
        const again = yield* Effect.flip(leadq.leads.remove({ path: { id: lead.id }, urlParams: {} }))
        expect(again).toBeInstanceOf(LeadNotFound)
      })))

    it.effect("409 is CampaignTerminal, on add, on remove and on a second cancel", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const lead = yield* leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550112" } })
        const cancelled = yield* leadq.campaigns.cancel({ path: { id: campaign.id } })
        expect(cancelled.status).toBe("cancelled")
        const add = yield* Effect.flip(leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550113" } }))
        expect(add).toBeInstanceOf(CampaignTerminal)
        const remove = yield* Effect.flip(leadq.leads.remove({ path: { id: lead.id }, urlParams: {} }))
        expect(remove).toBeInstanceOf(CampaignTerminal)
        if (remove._tag === "CampaignTerminal") {
          expect(remove.campaign_id).toBe(campaign.id)
          expect(remove.status).toBe("cancelled")
        }
        const cancelAgain = yield* Effect.flip(leadq.campaigns.cancel({ path: { id: campaign.id } }))
        expect(cancelAgain._tag).toBe("CampaignTerminal")
        // and the lead is still there: nothing changed
        expect((yield* leadq.leads.get({ path: { id: lead.id } })).status).toBe("pending")
      })))

    it.effect("409 is DuplicateLead naming the lead that holds the number, on add and on a correction", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const held = yield* leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550114" } })
        const other = yield* leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550115" } })
        const add = yield* Effect.flip(leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550114" } }))
        expect(add).toBeInstanceOf(DuplicateLead)
        const named = yield* leadq.leads.update({ path: { id: other.id }, payload: { phoneNumber: "+14155550114" } }).pipe(
          Effect.as("changed"),
          Effect.catchTag("DuplicateLead", (e) => Effect.succeed(`${e.lead_id} ${e.phone_number} ${e.campaign_id}`))
        )
        expect(named).toBe(`${held.id} +14155550114 ${campaign.id}`)
        // An upload does not fail on held numbers: the rows come back decoded, with their holder.
        const csv = "phone_number\n+14155550116\n+14155550114\n"
        const uploaded = yield* leadq.uploadCsv(campaign.id, { content: Stream.make(new TextEncoder().encode(csv)), filename: "d.csv" })
        expect(uploaded).toMatchObject({ leads_created: 1, leads_skipped: 1, skipped_unlisted: 0 })
        expect(uploaded.skipped.map((r) => ({ ...r }))).toEqual([{ row: 3, phone_number: "+14155550114", reason: "duplicate", lead_id: held.id }])
      })))

    it.effect("401 is Unauthorized, for a wrong key and a revoked-looking one", () =>
      Effect.gen(function*() {
        const wrong = yield* withClient(Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.list({ urlParams: { page: 1, limit: 5 } }))), "lq_nope")
        expect(wrong).toBeInstanceOf(Unauthorized)
        const forged = yield* withClient(
          Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.list({ urlParams: { page: 1, limit: 5 } }))),
          `lq_${"a".repeat(24)}_${"b".repeat(32)}`
        )
        expect(forged._tag).toBe("Unauthorized")
      }))

    it.effect("another organization's campaign is CampaignNotFound", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const campaign = yield* withClient(newCampaign("Mine"))
        const other = yield* gw.newOrganization()
        const error = yield* withClient(Effect.flip(Effect.flatMap(LeadqClient, (c) => c.campaigns.get({ path: { id: campaign.id } }))), other.apiKey)
        expect(error._tag).toBe("CampaignNotFound")
      }))

    it.effect("400 from the server is InvalidInput with one line per problem", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const error = yield* Effect.flip(leadq.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "12" } }))
        expect(error).toBeInstanceOf(InvalidInput)
        if (error._tag === "InvalidInput") expect(error.issues.join("\n")).toMatch(/phoneNumber/)
      })))

    it.effect("a request that breaks the contract is InvalidInput before anything is sent", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const before = yield* leadq.campaigns.list({ urlParams: { page: 1, limit: 1 } })
        const error = yield* Effect.flip(
          leadq.campaigns.create({
            payload: {
              name: "Bad",
              agent_id: "a",
              from_phone_number: "123" as never,
              max_concurrent_calls: 1,
              retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 })
            }
          })
        )
        expect(error).toBeInstanceOf(InvalidInput)
        if (error._tag === "InvalidInput") expect(error.issues.join("\n")).toMatch(/from_phone_number/)
        const after = yield* leadq.campaigns.list({ urlParams: { page: 1, limit: 1 } })
        expect(after.meta.total).toBe(before.meta.total)
      })))

    it.effect("items streams every page in order", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const csv = ["phone_number,name", ...Array.from({ length: 25 }, (_, i) => `+1415556${String(1000 + i)},P${i}`)].join("\n")
        const uploaded = yield* leadq.uploadCsv(campaign.id, { content: Stream.make(new TextEncoder().encode(csv)), filename: "x.csv" })
        expect(uploaded.leads_created).toBe(25)
        const all = yield* Stream.runCollect(items((page) => leadq.leads.list({ urlParams: { campaign_id: campaign.id, page, limit: 10 } })))
        expect(Chunk.toReadonlyArray(all).map((l) => l.name)).toEqual(Array.from({ length: 25 }, (_, i) => `P${i}`))
        // a stream that is not pulled to the end stops asking
        const first = yield* Stream.runCollect(
          Stream.take(items((page) => leadq.leads.list({ urlParams: { campaign_id: campaign.id, page, limit: 10 } })), 3)
        )
        expect(Chunk.size(first)).toBe(3)
      })))

    it.effect("a CSV upload to a cancelled campaign is CampaignTerminal; a bad CSV is InvalidInput", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const bad = yield* Effect.flip(
          leadq.uploadCsv(campaign.id, { content: Stream.make(new TextEncoder().encode("phone_number\n+14155550100\nnot-a-number\n")) })
        )
        expect(bad._tag).toBe("InvalidInput")
        yield* leadq.campaigns.cancel({ path: { id: campaign.id } })
        const refused = yield* Effect.flip(
          leadq.uploadCsv(campaign.id, { content: Stream.make(new TextEncoder().encode("phone_number\n+14155550100\n")) })
        )
        expect(refused._tag).toBe("CampaignTerminal")
      })))

    it.effect("call logs with If-None-Match: the tag of the last answer gets NotModified", () =>
      withClient(Effect.gen(function*() {
        const leadq = yield* LeadqClient
        const campaign = yield* newCampaign()
        const params = { page: 1, limit: 10, campaign_id: campaign.id }
        const first = yield* leadq.callLogsIfChanged(params, Option.none())
        expect(first._tag).toBe("Changed")
        if (first._tag !== "Changed") return
        expect(Option.isSome(first.etag)).toBe(true)
        expect(first.value.data).toEqual([])
        const second = yield* leadq.callLogsIfChanged(params, first.etag)
        expect(second._tag).toBe("NotModified")
        const stale = yield* leadq.callLogsIfChanged(params, Option.some(`"stale"`))
        expect(stale._tag).toBe("Changed")
      })))

    it.effect("a base URL that is not a leadq gateway is an UnexpectedResponse with its status", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const client = LeadqClient.layer({ baseUrl: `${gw.baseUrl}/nothing-here`, apiKey: Redacted.make(gw.apiKey) })
        const error = yield* Effect.flip(Effect.flatMap(LeadqClient, (c) => c.leads.get({ path: { id: "lead_x" } }))).pipe(Effect.provide(client))
        expect(error._tag).toBe("UnexpectedResponse")
        if (error._tag === "UnexpectedResponse") {
          expect(error.status).toBe(404)
          expect(error.code).toBe("RouteNotFound")
        }
      }))
  })
}
