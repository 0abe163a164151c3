import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import type { ApiKeyId, CampaignStatus } from "@leadq/domain"
import { CampaignRepository, LeadLifecycle, LeadQueue, LeadRepository } from "@leadq/domain"
import { Effect, Either, TestClock } from "effect"
import { makeRemovalStatement } from "../src/RemovalStatement.js"
import type { LeadRow } from "../src/Rows.js"
import { toSnapshot } from "../src/Rows.js"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, outcome, storeLayer } from "./fixtures.js"

/**
 * The removal's fast path (`RemovalStatement.ts`) against the full rule (`LeadLifecycle.remove`),
 * row by row of the removal table: for each state a lead can be in, the statement must change the
 * lead exactly as the rule says, write the audit record and the `lead.removed` event the rule's
 * path writes, or, where the rule refuses, change nothing at all.
 */
const engines = await testEngines()
const LEASE = 30_000
const START = Date.parse("2026-06-01T12:00:00Z")

/** The lead's columns a removal may change; every other one must stay as it was. */
const REMOVAL_COLUMNS: ReadonlyArray<string> = ["claim_id", "dialled", "lease_expires_at", "removed_at", "removed_from", "state", "updated_at", "worker_id"]
const untouched = (row: object) => Object.fromEntries(Object.entries(row).filter(([column]) => !REMOVAL_COLUMNS.includes(column)))

type Setup = "pending" | "pending, retry due later" | "claimed" | "in call" | "called" | "removed" | "paused campaign" | "completed campaign" | "cancelled campaign" | "other organization"

const SETUPS: ReadonlyArray<Setup> = [
  "pending",
  "pending, retry due later",
  "claimed",
  "in call",
  "called",
  "removed",
  "paused campaign",
  "completed campaign",
  "cancelled campaign",
  "other organization"
]

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`removal statement on ${engine}`, (it) => {
    /** One lead brought into `setup`; the shared queue is cleared first (one database per suite). */
    const leadIn = (setup: Setup) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(START)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE campaigns SET status = 'cancelled' WHERE status IN ('running', 'paused')`
        const { keyId, org } = yield* newOrg
        const campaigns = yield* CampaignRepository
        const leads = yield* LeadRepository
        const queue = yield* LeadQueue
        const campaign = yield* campaigns.create(org, campaignDraft())
        const lead = yield* leads.add(org, campaign.id, leadDraft(1))
        const claimed = () => Effect.map(queue.claimDue({ worker_id: "w1", limit: 10, lease_ms: LEASE }), (cs) => cs[0]!)
        switch (setup) {
          case "pending":
          case "other organization":
            break
          case "pending, retry due later": {
            const dial = yield* queue.startDial(yield* claimed(), LEASE)
            yield* queue.finishCall(dial, yield* outcome("no_answer"))
            break
          }
          case "claimed":
            yield* claimed()
            break
          case "in call":
            yield* queue.startDial(yield* claimed(), LEASE)
            break
          case "called":
          case "completed campaign": {
            const dial = yield* queue.startDial(yield* claimed(), LEASE)
            yield* queue.finishCall(dial, yield* outcome("completed"))
            // A campaign over with a lead still there (only reachable by SQL: the rule's 409 row).
            if (setup === "completed campaign") yield* sql`UPDATE campaigns SET status = 'completed' WHERE id = ${campaign.id}`
            break
          }
          case "removed":
            yield* leads.remove(org, lead.id, { api_key_id: keyId })
            break
          case "paused campaign":
            yield* campaigns.update(org, campaign.id, { status: "paused" })
            break
          case "cancelled campaign":
            yield* sql`UPDATE campaigns SET status = 'cancelled' WHERE id = ${campaign.id}`
            break
        }
        const remover = setup === "other organization" ? (yield* newOrg).org : org
        return { org: remover, keyId: keyId as ApiKeyId, campaign_id: campaign.id, id: lead.id as string }
      })

    const leadRow = (id: string) =>
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.map(
          sql<LeadRow & { readonly worker_id: string | null; readonly removed_at: unknown; readonly campaign_status: string }>`
            SELECT l.*, c.status AS campaign_status FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE l.id = ${id}`,
          (rows) => rows[0]!
        ))

    const written = (id: string) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const audits = yield* sql<{ removed_from: string; attempt: unknown; api_key_id: string; reason: string | null; removed_at: unknown }>`
          SELECT removed_from, attempt, api_key_id, reason, removed_at FROM lead_removals WHERE lead_id = ${id}`
        const events = yield* sql<{ payload: string; organization_id: string }>`
          SELECT payload, organization_id FROM outbox_events WHERE type = 'lead.removed' AND payload LIKE ${`%${id}%`} ORDER BY seq`
        return { audits, events }
      })

    describe("every row of the removal table: the statement does what the rule says", () => {
      for (const setup of SETUPS) {
        it.effect(setup, () =>
          Effect.gen(function*() {
            const { campaign_id, id, keyId, org } = yield* leadIn(setup)
            const sql = yield* SqlClient.SqlClient
            const before = yield* leadRow(id)
            const writtenBefore = yield* written(id)
            const now = START + 60_000
            const request = { api_key_id: keyId, reason: `why: ${setup} "quoted"` }
            // The rule's answer on the row as it stands (another organization sees no lead at all).
            const rule = setup === "other organization"
              ? Either.left("LeadNotFound")
              : Either.mapLeft(
                LeadLifecycle.remove(toSnapshot(before), { id: before.campaign_id, status: before.campaign_status as CampaignStatus, retry_config: campaignDraft().retry_config }),
                (e) => e._tag
              )
            const statement = makeRemovalStatement(sql)
            const row = yield* sql.withTransaction(statement.run(org, id, request, now))
            const after = yield* leadRow(id)
            const writtenAfter = yield* written(id)

            if (Either.isLeft(rule)) {
              expect(row).toBeUndefined()
              expect(after).toEqual(before)
              expect(writtenAfter).toEqual(writtenBefore)
              return
            }
            const removal = rule.right
            expect(row).toMatchObject({ campaign_id, phone_number: before.phone_number, removed_from: removal.removed_from })
            // The lead, exactly as the rule leaves it.
            expect(toSnapshot(after)).toEqual(removal.lead)
            expect(after.removed_at === null ? null : Number(after.removed_at)).toBe(now)
            expect(after.worker_id === null).toBe(removal.lead.claim_id === null)
            // Nothing else about the lead moved (its schedule above all).
            expect(untouched(after)).toEqual(untouched(before))
            // The audit record and the event the rule's path writes.
            expect(writtenAfter.audits).toEqual([
              { removed_from: removal.removed_from, attempt: after.attempts, api_key_id: keyId, reason: request.reason, removed_at: now }
            ])
            expect(writtenAfter.events.length).toBe(writtenBefore.events.length + 1)
            const { organization_id, payload } = writtenAfter.events.at(-1)!
            expect(organization_id).toBe(org)
            expect(payload).toBe(JSON.stringify({
              lead_id: id,
              campaign_id,
              phone_number: before.phone_number,
              removed_from: removal.removed_from,
              call_in_progress: removal.call_in_progress,
              reason: request.reason,
              api_key_id: keyId,
              removed_at: new Date(now).toISOString()
            }))
            // SQLite answers whether other leads are open (here: none); PostgreSQL asks after the commit.
            expect(row!.others_open).toBe(engine === "sqlite" ? 0 : null)
          }))
      }
    })
  })
}
