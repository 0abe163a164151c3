import { SqlClient } from "@effect/sql"
import { describe, expect, it, layer } from "@effect/vitest"
import { CampaignRepository, LeadRepository } from "@leadq/domain"
import { Cause, Effect, Exit, Schema } from "effect"
import { CallLogRow, CampaignRow, CountRow, LeadRow, RemovalRecordRow } from "../src/Rows.js"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, storeLayer } from "./fixtures.js"

/**
 * Rows are decoded at the repository edge with row Schemas (cold paths). The column schemas take
 * what either engine hands back, and a row that does not decode is a defect there, never a typed
 * error a caller would have to handle.
 */
const engines = await testEngines()
const T = Date.parse("2026-06-01T12:00:00Z")

describe("row schemas", () => {
  const lead = {
    id: "lead_0123456789abcdefghjkmnpq",
    organization_id: "org_0123456789abcdefghjkmnpq",
    campaign_id: "cmp_0123456789abcdefghjkmnpq",
    name: null,
    phone_number: "+14155550100",
    notes: "{\"plan\":\"gold\",\"vip\":true}",
    timezone: null,
    state: "called",
    outcome: "completed",
    claim_id: null,
    worker_id: null,
    call_log_id: null,
    removed_from: null,
    removed_at: null
  }

  it("decode the same row from SQLite (numbers) and from PostgreSQL (numeric strings, timestamptz as Date)", () => {
    const decode = Schema.decodeUnknownSync(LeadRow)
    const sqlite = decode({ ...lead, attempts: 2, scheduled_at: T, dialled: 0, lease_expires_at: null, created_at: T, updated_at: T + 1, seq: 7 })
    const pg = decode({
      ...lead,
      attempts: "2",
      scheduled_at: String(T),
      dialled: 0,
      lease_expires_at: null,
      created_at: new Date(T),
      updated_at: String(T + 1),
      seq: "7"
    })
    expect(pg).toEqual(sqlite)
    expect(sqlite).toMatchObject({ attempts: 2, scheduled_at: T, notes: { plan: "gold", vip: true }, updated_at: T + 1 })
    expect(Schema.decodeUnknownSync(CountRow)({ n: "12" })).toEqual({ n: 12 })
    expect(Schema.decodeUnknownSync(RemovalRecordRow)({
      id: "rmv_0123456789abcdefghjkmnpq",
      lead_id: lead.id,
      campaign_id: lead.campaign_id,
      api_key_id: "key_0123456789abcdefghjkmnpq",
      removed_from: "pending",
      attempt: "0",
      reason: null,
      removed_at: String(T)
    }).removed_at).toEqual(new Date(T))
  })

  it("refuse what the domain refuses: a fractional count, a bad phone number, a retry limit out of range, notes that are not JSON", () => {
    const row = { ...lead, attempts: 2, scheduled_at: T, dialled: 0, lease_expires_at: null, created_at: T, updated_at: T }
    expect(Schema.decodeUnknownEither(LeadRow)(row)._tag).toBe("Right")
    expect(Schema.decodeUnknownEither(LeadRow)({ ...row, attempts: "2.5" })._tag).toBe("Left")
    expect(Schema.decodeUnknownEither(LeadRow)({ ...row, phone_number: "0800 FLOWERS" })._tag).toBe("Left")
    expect(Schema.decodeUnknownEither(LeadRow)({ ...row, notes: "{oops" })._tag).toBe("Left")
    const campaign = {
      id: lead.campaign_id,
      organization_id: lead.organization_id,
      name: "Renewals",
      agent_id: "agent_1",
      from_phone_number: "+14155550100",
      status: "running",
      scheduled_at: T,
      max_concurrent_calls: 2,
      max_retries: 1,
      retry_interval_minutes: 10,
      calling_window: null,
      created_at: T,
      updated_at: T
    }
    expect(Schema.decodeUnknownEither(CampaignRow)(campaign)._tag).toBe("Right")
    expect(Schema.decodeUnknownEither(CampaignRow)({ ...campaign, max_retries: 9 })._tag).toBe("Left")
    expect(Schema.decodeUnknownEither(CallLogRow)({ status: "initiated" })._tag).toBe("Left")
  })
})

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`rows decoded at the edge on ${engine}`, (it) => {
    it.effect("a row that does not decode is a defect of the repository call, not a typed error", () =>
      Effect.gen(function*() {
        const { org } = yield* newOrg
        const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft()))
        const leads = yield* LeadRepository
        const lead = yield* leads.add(org, campaign.id, leadDraft(1))
        expect((yield* leads.get(org, lead.id)).phone_number).toBe(lead.phone_number)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE leads SET phone_number = 'not a number' WHERE id = ${lead.id}`
        const exit = yield* Effect.exit(leads.get(org, lead.id))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(Exit.isFailure(exit) && Cause.failures(exit.cause).length).toBe(0)
      }))
  })
}
