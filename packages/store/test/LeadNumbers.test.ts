import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { CampaignRepository, LeadRepository } from "@leadq/domain"
import { Effect, Either } from "effect"
import { migrate } from "../src/index.js"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, storeLayer } from "./fixtures.js"

const engines = await testEngines()

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`one live lead per number and campaign on ${engine}`, (it) => {
    describe("migration 0006 over a database that already holds duplicates", () => {
      it.effect("the migration succeeds, removes nothing, and new duplicates are refused", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const { org } = yield* newOrg
          const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft()))
          const leads = yield* LeadRepository
          const first = yield* leads.add(org, campaign.id, leadDraft(1))
          const second = yield* leads.add(org, campaign.id, leadDraft(2))
          const third = yield* leads.add(org, campaign.id, leadDraft(3))
          // Back to the schema before 0006, where nothing stopped a second live lead with a number.
          yield* sql`DROP INDEX leads_live_number`
          yield* sql`ALTER TABLE leads DROP COLUMN duplicate_slot`
          yield* sql`DELETE FROM leadq_migrations WHERE id = 6`
          yield* sql`UPDATE leads SET phone_number = ${first.phone_number} WHERE id IN (${second.id}, ${third.id})`
          yield* migrate
          const held = yield* leads.list(org, { campaign_id: campaign.id, phone_number: first.phone_number, page: 1, limit: 10 })
          expect(held.data.map((l) => l.id)).toEqual([first.id, second.id, third.id])
          // Only the later duplicates are out of the index; the earliest still holds the number there.
          const slots = yield* sql<{ id: string; duplicate_slot: number | string }>`
            SELECT id, duplicate_slot FROM leads WHERE campaign_id = ${campaign.id} ORDER BY seq`
          expect(slots.map((r) => Number(r.duplicate_slot) === 0)).toEqual([true, false, false])
          const again = yield* Effect.either(leads.add(org, campaign.id, leadDraft(1)))
          expect(Either.isLeft(again) && again.left).toMatchObject({ _tag: "DuplicateLead", lead_id: first.id })
          // The earliest removed, a legacy duplicate still holds the number.
          yield* leads.remove(org, first.id, { api_key_id: (yield* newOrg).keyId })
          const still = yield* Effect.either(leads.add(org, campaign.id, leadDraft(1)))
          expect(Either.isLeft(still) && still.left).toMatchObject({ _tag: "DuplicateLead", lead_id: second.id })
          // A legacy duplicate corrected to a new number holds that one like any lead.
          yield* leads.update(org, third.id, { phone_number: leadDraft(4).phone_number })
          const taken = yield* Effect.either(leads.add(org, campaign.id, leadDraft(4)))
          expect(Either.isLeft(taken) && taken.left).toMatchObject({ _tag: "DuplicateLead", lead_id: third.id })
          const [row] = yield* sql<{ duplicate_slot: number | string }>`SELECT duplicate_slot FROM leads WHERE id = ${third.id}`
          expect(Number(row!.duplicate_slot)).toBe(0)
        }))

      it.effect("addMany skips held and repeated numbers, names their leads, and adds the rest", () =>
        Effect.gen(function*() {
          const { org } = yield* newOrg
          const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft()))
          const leads = yield* LeadRepository
          const held = yield* leads.add(org, campaign.id, leadDraft(1))
          // Over one insert chunk (500), so that a repeat in a later chunk is caught too.
          const drafts = [leadDraft(1), ...Array.from({ length: 600 }, (_, i) => leadDraft(100 + i)), leadDraft(100), leadDraft(2)]
          const result = yield* leads.addMany(org, campaign.id, drafts)
          expect(result.created).toBe(601)
          const repeated = yield* leads.list(org, { campaign_id: campaign.id, phone_number: leadDraft(100).phone_number, page: 1, limit: 10 })
          expect(result.skipped).toEqual([
            { index: 0, phone_number: held.phone_number, reason: "duplicate", lead_id: held.id },
            { index: 601, phone_number: leadDraft(100).phone_number, reason: "duplicate", lead_id: repeated.data[0]!.id }
          ])
          expect((yield* leads.list(org, { campaign_id: campaign.id, page: 1, limit: 1 })).meta.total).toBe(602)
        }))
    })
  })
}
