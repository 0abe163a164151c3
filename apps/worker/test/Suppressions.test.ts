import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import type { ApiKeyId, CampaignLead, E164, OrganizationId } from "@leadq/domain"
import { CampaignRepository, LeadRepository, RetryConfig, SuppressionRepository } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import { memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import { Effect, Option } from "effect"
import type { Scope } from "effect"
import { campaignDraft, campaignOf, dialsOf, eventually, liveSleep, logsOf, seed, startWorker, storeLayer } from "./fixtures.js"
import type { StoreServices } from "./fixtures.js"
import { makeGate } from "./GatedCarrier.js"

/**
 * A suppressed number is never dialled, whatever state its lead is in when the number is
 * suppressed (docs/design.md §3): checked against the simulated carrier's own ledger, not only
 * leadq's rows.
 */
const engines = await testEngines()

const suppress = (org: OrganizationId, keyId: ApiKeyId, phone: string) =>
  Effect.flatMap(SuppressionRepository, (s) => s.suppress(org, { phone_number: phone as E164, reason: "opted out", expires_at: null }, keyId))

/** A second campaign of an organization, with leads of these numbers, due now. */
const seedInto = (org: OrganizationId, phones: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft()))
    const repo = yield* LeadRepository
    const leads: Array<CampaignLead> = []
    for (const phone of phones) leads.push(yield* repo.add(org, campaign.id, { name: null, phone_number: phone as E164, notes: {} }))
    return { campaign, leads }
  })

const removalOf = (org: OrganizationId, leadId: string) =>
  Effect.flatMap(LeadRepository, (r) => r.removalOf(org, leadId))

/** The lead was removed by the dial re-check: from `claimed`, reason `suppressed`, by the key that suppressed it. */
const expectRemovedForSuppression = (org: OrganizationId, keyId: ApiKeyId, leadId: string) =>
  eventually(Effect.map(removalOf(org, leadId), (record) => {
    expect(Option.isSome(record)).toBe(true)
    expect(Option.getOrThrow(record)).toMatchObject({ removed_from: "claimed", reason: "suppressed", api_key_id: keyId })
  }))

for (const engine of engines) {
  describe(`suppressed numbers and the worker on ${engine}`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) => Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.live("a lead claimed but not yet dialled when its number is suppressed is never dialled", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const gate = yield* makeGate
        const { campaign, keyId, leads: [first, second], org } = yield* seed([{ sim_duration_ms: 50 }, { sim_duration_ms: 50 }], {
          max_concurrent_calls: 2
        })
        yield* startWorker(gate.layer(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 50 }, ledger)), { max_in_flight: 2 })
        // The first placement is held: the second lead is claimed, its dial not started.
        const held = yield* gate.reached
        expect(held.lead_id).toBe(first!.id)
        yield* eventually(Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.map(sql<{ claim_id: string | null }>`SELECT claim_id FROM leads WHERE id = ${second!.id}`, ([row]) =>
            expect(row!.claim_id).not.toBeNull())))
        yield* suppress(org, keyId, second!.phone_number)
        yield* gate.open
        yield* expectRemovedForSuppression(org, keyId, second!.id)
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
        expect(dialsOf(yield* ledger.lines).map((d) => d.phone_number)).toEqual([first!.phone_number])
        expect((yield* logsOf(org, campaign)).map((l) => l.lead_id)).toEqual([first!.id])
      })))

    it.live("a due lead of another campaign with the suppressed number is never dialled; another organization's lead with it is", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const a = yield* seed([{ sim_duration_ms: 0 }], { scheduled_at: new Date("2099-01-01T00:00:00Z") })
        const phone = a.leads[0]!.phone_number
        // The same organization's second campaign: the same number (and one other) is due now.
        const campaignB = yield* seedInto(a.org, [phone, "+14155559001"])
        // Another organization, the same number: not suppressed there.
        const other = yield* seed([{ sim_duration_ms: 0 }])
        expect(other.leads[0]!.phone_number).toBe(phone)
        yield* suppress(a.org, a.keyId, phone)
        yield* startWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger))
        yield* expectRemovedForSuppression(a.org, a.keyId, campaignB.leads[0]!.id)
        yield* eventually(Effect.map(campaignOf(a.org, campaignB.campaign), (c) => expect(c.status).toBe("completed")))
        yield* eventually(Effect.map(campaignOf(other.org, other.campaign), (c) => expect(c.status).toBe("completed")))
        const dials = dialsOf(yield* ledger.lines)
        expect(dials.filter((d) => d.campaign_id === campaignB.campaign.id).map((d) => d.phone_number)).toEqual(["+14155559001"])
        expect(dials.filter((d) => d.phone_number === phone).map((d) => d.campaign_id)).toEqual([other.campaign.id])
      })))

    it.live("a lead waiting for its retry when its number is suppressed is not dialled again", () =>
      run(Effect.gen(function*() {
        const ledger = memoryLedger()
        const { campaign, keyId, leads: [lead], org } = yield* seed([{ sim_outcome: "no_answer" }], {
          retry_config: new RetryConfig({ max_retries: 3, retry_interval_minutes: 1 })
        })
        yield* startWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger))
        const sql = yield* SqlClient.SqlClient
        // The first attempt ends unanswered: the retry is scheduled a minute later.
        yield* eventually(Effect.map(sql<{ state: string; attempts: number }>`SELECT state, attempts FROM leads WHERE id = ${lead!.id}`, ([row]) =>
          expect([row!.state, Number(row!.attempts)]).toEqual(["pending", 1])))
        yield* suppress(org, keyId, lead!.phone_number)
        // The minute passes (the retry becomes due now).
        yield* sql`UPDATE leads SET scheduled_at = ${Date.now() - 1} WHERE id = ${lead!.id}`
        yield* expectRemovedForSuppression(org, keyId, lead!.id)
        yield* liveSleep(300)
        expect(dialsOf(yield* ledger.lines).map((d) => d.attempt)).toEqual([1])
        expect((yield* logsOf(org, campaign)).map((l) => l.attempt)).toEqual([1])
        yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")))
      })))
  })
}
