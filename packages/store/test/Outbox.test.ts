import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import type { CampaignLead, Dial, E164, OrganizationId } from "@leadq/domain"
import {
  CallLog,
  CallLogRepository,
  CampaignRepository,
  LeadQueue,
  LeadRepository,
  SuppressionRepository,
  WebhookEvent
} from "@leadq/domain"
import { Effect, Either, Exit, Schema, TestClock } from "effect"
import { testEngines } from "../src/testing/index.js"
import { campaignDraft, leadDraft, newOrg, outcome, storeLayer } from "./fixtures.js"

/**
 * The transactional outbox (docs/design.md §3): every change that has an event writes exactly its
 * event(s), with the payload of docs/webhooks.md, in the change's own transaction — a batch one
 * per lead — and a change that rolls back writes none. The rollback is forced INSIDE the
 * transaction, after the change's own statements: a trigger refuses the outbox row whose payload
 * names a marker (a phone number, a reason, a campaign id), so the whole transaction fails.
 */
const engines = await testEngines()
const START = Date.parse("2026-06-01T12:00:00Z")
const LEASE = 30_000
const AT = new Date(START).toISOString()

interface EventRow {
  readonly id: string
  readonly type: string
  readonly data: Record<string, unknown>
  readonly created_at: number
}

const eventsOf = (org: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: string; type: string; payload: string; created_at: unknown }>`
      SELECT id, type, payload, created_at FROM outbox_events WHERE organization_id = ${org} ORDER BY seq`
    return rows.map((r): EventRow => ({ id: r.id, type: r.type, data: JSON.parse(r.payload), created_at: Number(r.created_at) }))
  }).pipe(Effect.orDie)

/** Each stored event, as a receiver will get it, decodes with the domain's event Schema. */
const decodesAsSent = (events: ReadonlyArray<EventRow>) => {
  for (const e of events) {
    expect(e.id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{24}$/)
    const sent = { id: e.id, type: e.type, created_at: new Date(e.created_at).toISOString(), data: e.data }
    expect(Either.isRight(Schema.decodeUnknownEither(WebhookEvent)(sent))).toBe(true)
  }
}

/** A failure inside the transaction: any outbox row whose payload contains a marker is refused. */
const installFailureTrigger = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS test_outbox_failures (marker TEXT NOT NULL)`
  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.gen(function*() {
        yield* sql.unsafe(`CREATE OR REPLACE FUNCTION test_outbox_fail() RETURNS trigger AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM test_outbox_failures f WHERE position(f.marker in NEW.payload) > 0) THEN
              RAISE EXCEPTION 'forced failure inside the transaction';
            END IF;
            RETURN NEW;
          END $$ LANGUAGE plpgsql`)
        yield* sql.unsafe(`DROP TRIGGER IF EXISTS test_outbox_fail ON outbox_events`)
        yield* sql.unsafe(`CREATE TRIGGER test_outbox_fail BEFORE INSERT ON outbox_events
          FOR EACH ROW EXECUTE FUNCTION test_outbox_fail()`)
      }),
    orElse: () =>
      sql.unsafe(`CREATE TRIGGER IF NOT EXISTS test_outbox_fail BEFORE INSERT ON outbox_events
        WHEN EXISTS (SELECT 1 FROM test_outbox_failures f WHERE instr(NEW.payload, f.marker) > 0)
        BEGIN SELECT RAISE(ABORT, 'forced failure inside the transaction'); END`)
  })
}).pipe(Effect.orDie)

const failWhenPayloadHas = (marker: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO test_outbox_failures (marker) VALUES (${marker})`).pipe(Effect.orDie)

const encodeCallLog = Schema.encodeSync(CallLog)

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`the transactional outbox on ${engine}`, (it) => {
    /** The clock at START, nothing else claimable: earlier tests' campaigns are retired. */
    const fresh = Effect.gen(function*() {
      yield* TestClock.setTime(START)
      yield* installFailureTrigger
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE campaigns SET status = 'cancelled' WHERE status IN ('running', 'paused')`
      yield* sql`UPDATE leads SET claim_id = NULL, lease_expires_at = NULL WHERE claim_id IS NOT NULL`
    }).pipe(Effect.orDie)

    const campaignWith = (n: number, first = 0) =>
      Effect.gen(function*() {
        const { keyId, org } = yield* newOrg
        const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft({ max_concurrent_calls: 10 })))
        const leads: Array<CampaignLead> = []
        for (let i = 0; i < n; i++) leads.push(yield* Effect.flatMap(LeadRepository, (l) => l.add(org, campaign.id, leadDraft(first + i))))
        return { org, keyId, campaign, leads }
      })

    const dialAll = (org: OrganizationId) =>
      Effect.gen(function*() {
        const queue = yield* LeadQueue
        const claims = (yield* queue.claimDue({ worker_id: "w1", limit: 100, lease_ms: LEASE }))
        const answers = yield* queue.startDials(claims, LEASE)
        return answers.flatMap((a) => (Either.isRight(a) && a.right.organization_id === org ? [a.right] : []))
      })

    describe("removals", () => {
      it.effect("a single removal writes one lead.removed; with suppress also one lead.suppressed naming the lead", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, keyId, leads, org } = yield* campaignWith(3, 100)
          const repo = yield* LeadRepository
          yield* repo.remove(org, leads[0]!.id, { api_key_id: keyId, reason: "opt-out" })
          const afterOne = yield* eventsOf(org)
          expect(afterOne.map((e) => [e.type, e.data])).toEqual([[
            "lead.removed",
            {
              lead_id: leads[0]!.id,
              campaign_id: campaign.id,
              phone_number: leads[0]!.phone_number,
              removed_from: "pending",
              call_in_progress: false,
              reason: "opt-out",
              api_key_id: keyId,
              removed_at: AT
            }
          ]])
          expect(afterOne[0]!.created_at).toBe(START)

          yield* repo.remove(org, leads[1]!.id, { api_key_id: keyId, suppress: true })
          const events = yield* eventsOf(org)
          expect(events.slice(1).map((e) => [e.type, e.data])).toEqual([
            ["lead.removed", expect.objectContaining({ lead_id: leads[1]!.id, reason: null, removed_from: "pending" })],
            [
              "lead.suppressed",
              {
                phone_number: leads[1]!.phone_number,
                reason: null,
                expires_at: null,
                api_key_id: keyId,
                lead_id: leads[1]!.id,
                campaign_id: campaign.id,
                suppressed_at: AT
              }
            ]
          ])
          decodesAsSent(events)
          // A lead already removed: no change, no event.
          expect(Exit.isFailure(yield* Effect.exit(repo.remove(org, leads[0]!.id, { api_key_id: keyId })))).toBe(true)
          expect(yield* eventsOf(org)).toHaveLength(3)
        }))

      it.effect("a removal of a lead in a call says call_in_progress and where it was removed from", () =>
        Effect.gen(function*() {
          yield* fresh
          const { keyId, leads, org } = yield* campaignWith(1, 120)
          yield* dialAll(org)
          yield* Effect.flatMap(LeadRepository, (l) => l.remove(org, leads[0]!.id, { api_key_id: keyId }))
          const removed = (yield* eventsOf(org)).filter((e) => e.type === "lead.removed")
          expect(removed.map((e) => [e.data["removed_from"], e.data["call_in_progress"]])).toEqual([["in_call", true]])
        }))

      it.effect("a bulk removal writes one lead.removed per lead removed (not for not-found or repeated ones), and a lead.suppressed per number", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, keyId, leads, org } = yield* campaignWith(4, 200)
          const repo = yield* LeadRepository
          const result = yield* repo.removeMany(
            org,
            { _tag: "LeadIds", lead_ids: [leads[0]!.id, leads[1]!.id, "lead_nosuchlead000000000000000", leads[0]!.id] },
            { api_key_id: keyId, reason: "list cleaning" }
          )
          expect(result.removed).toBe(2)
          const first = yield* eventsOf(org)
          expect(first.map((e) => [e.type, e.data["lead_id"], e.data["reason"]])).toEqual([
            ["lead.removed", leads[0]!.id, "list cleaning"],
            ["lead.removed", leads[1]!.id, "list cleaning"]
          ])
          const unknown = "+14155559999" as E164
          yield* repo.removeMany(
            org,
            { _tag: "PhoneNumbers", campaign_id: campaign.id, phone_numbers: [leads[2]!.phone_number, unknown] },
            { api_key_id: keyId, suppress: true }
          )
          const second = (yield* eventsOf(org)).slice(2)
          expect(second.map((e) => [e.type, e.data["phone_number"], e.data["lead_id"], e.data["campaign_id"]])).toEqual([
            ["lead.removed", leads[2]!.phone_number, leads[2]!.id, campaign.id],
            ["lead.suppressed", leads[2]!.phone_number, leads[2]!.id, campaign.id],
            ["lead.suppressed", unknown, null, campaign.id]
          ])
          decodesAsSent(yield* eventsOf(org))
        }))

      it.effect("a removal or bulk removal that fails inside its transaction writes no event and changes nothing", () =>
        Effect.gen(function*() {
          yield* fresh
          const { keyId, leads, org } = yield* campaignWith(3, 300)
          const repo = yield* LeadRepository
          yield* failWhenPayloadHas("rollback-me")
          const single = yield* Effect.exit(repo.remove(org, leads[0]!.id, { api_key_id: keyId, reason: "rollback-me", suppress: true }))
          expect(Exit.isFailure(single)).toBe(true)
          const bulk = yield* Effect.exit(
            repo.removeMany(org, { _tag: "LeadIds", lead_ids: [leads[1]!.id, leads[2]!.id] }, { api_key_id: keyId, reason: "rollback-me" })
          )
          expect(Exit.isFailure(bulk)).toBe(true)
          expect(yield* eventsOf(org)).toEqual([])
          // Nothing changed: every lead still pending, no audit record, no suppression.
          for (const lead of leads) expect((yield* repo.get(org, lead.id)).status).toBe("pending")
          const sql = yield* SqlClient.SqlClient
          expect(yield* sql`SELECT id FROM lead_removals WHERE organization_id = ${org}`).toEqual([])
          expect(yield* sql`SELECT phone_number FROM suppressions WHERE organization_id = ${org}`).toEqual([])
        }))
    })

    describe("calls", () => {
      it.effect("a batch of dials writes one call.started per dial (the call log as GET shows it) and one lead.removed per suppressed number", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, keyId, leads, org } = yield* campaignWith(3, 400)
          yield* Effect.flatMap(SuppressionRepository, (s) =>
            s.suppress(org, { phone_number: leads[1]!.phone_number, reason: "asked", expires_at: null }, keyId))
          const dials = yield* dialAll(org)
          expect(dials).toHaveLength(2)
          const events = (yield* eventsOf(org)).slice(1) // after the suppression's own event
          const logs = yield* Effect.flatMap(CallLogRepository, (r) => Effect.forEach(dials, (d) => r.get(org, d.call_log_id)))
          expect(events.filter((e) => e.type === "call.started").map((e) => e.data)).toEqual(logs.map((l) => encodeCallLog(l)))
          expect(logs.every((l) => l.status === "initiated")).toBe(true)
          expect(events.filter((e) => e.type === "lead.removed").map((e) => e.data)).toEqual([{
            lead_id: leads[1]!.id,
            campaign_id: campaign.id,
            phone_number: leads[1]!.phone_number,
            removed_from: "claimed",
            call_in_progress: false,
            reason: "suppressed",
            api_key_id: keyId,
            removed_at: AT
          }])
          expect(events).toHaveLength(3)
          decodesAsSent(events)
        }))

      it.effect("a batch of finished calls writes one call.ended per call, exactly GET /v1/call-logs/{id}, and the completion its status change", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, leads, org } = yield* campaignWith(2, 500)
          const dials = yield* dialAll(org)
          const before = (yield* eventsOf(org)).length
          yield* TestClock.adjust(5_000)
          const queue = yield* LeadQueue
          const ended = yield* Effect.forEach(dials, (dial: Dial, i) => Effect.map(outcome(i === 0 ? "completed" : "busy", 4), (o) => ({ dial, outcome: o })))
          const answers = yield* queue.finishCalls(ended)
          expect(answers.every(Either.isRight)).toBe(true)
          const events = (yield* eventsOf(org)).slice(before)
          const logs = yield* Effect.flatMap(CallLogRepository, (r) => Effect.forEach(dials, (d) => r.get(org, d.call_log_id)))
          expect(events.filter((e) => e.type === "call.ended").map((e) => e.data)).toEqual(logs.map((l) => encodeCallLog(l)))
          expect(logs.map((l) => l.status)).toEqual(["completed", "busy"])
          expect(leads).toHaveLength(2)
          // max_retries 1: the busy lead will be retried, so the campaign is not drained yet.
          expect(events.filter((e) => e.type === "campaign.status_changed")).toEqual([])
          decodesAsSent(events)

          // The retry comes due, ends: the queue drains and the completion writes its event.
          yield* TestClock.adjust(11 * 60_000)
          const retry = yield* dialAll(org)
          expect(retry).toHaveLength(1)
          yield* queue.finishCalls([{ dial: retry[0]!, outcome: yield* outcome("no_answer", 0) }])
          const last = (yield* eventsOf(org)).slice(-2)
          expect(last.map((e) => e.type)).toEqual(["call.ended", "campaign.status_changed"])
          expect(last[1]!.data).toEqual({
            campaign_id: campaign.id,
            from: "running",
            to: "completed",
            changed_at: new Date(START + 5_000 + 11 * 60_000).toISOString()
          })
        }))

      it.effect("a batch of dials or of finished calls that fails inside its transaction writes no event and changes nothing", () =>
        Effect.gen(function*() {
          yield* fresh
          const { leads, org } = yield* campaignWith(2, 600)
          const queue = yield* LeadQueue
          const sql = yield* SqlClient.SqlClient
          yield* failWhenPayloadHas(leads[1]!.phone_number)
          const claims = yield* queue.claimDue({ worker_id: "w1", limit: 100, lease_ms: LEASE })
          expect(Exit.isFailure(yield* Effect.exit(queue.startDials(claims, LEASE)))).toBe(true)
          expect(yield* eventsOf(org)).toEqual([])
          expect(yield* sql`SELECT id FROM call_logs WHERE organization_id = ${org}`).toEqual([])
          expect((yield* sql<{ dialled: unknown }>`SELECT dialled FROM leads WHERE organization_id = ${org}`).map((r) => Number(r.dialled)))
            .toEqual([0, 0])

          // Dial only the first lead (its payload is allowed), then fail its end by marking its number.
          const mine = claims.filter((c) => c.lead_id === leads[0]!.id)
          const [dial] = yield* queue.startDials(mine, LEASE)
          expect(Either.isRight(dial!)).toBe(true)
          yield* failWhenPayloadHas(leads[0]!.phone_number)
          const finished = yield* Effect.exit(queue.finishCalls([{ dial: Either.getOrThrow(dial!), outcome: yield* outcome("completed") }]))
          expect(Exit.isFailure(finished)).toBe(true)
          expect((yield* eventsOf(org)).map((e) => e.type)).toEqual(["call.started"])
          const log = yield* Effect.flatMap(CallLogRepository, (r) => r.get(org, Either.getOrThrow(dial!).call_log_id))
          expect(log.status).toBe("initiated")
        }))
    })

    describe("campaigns and suppressions", () => {
      it.effect("pause, resume and cancel each write campaign.status_changed; a patch that keeps the status writes none", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, org } = yield* campaignWith(1, 700)
          const campaigns = yield* CampaignRepository
          yield* campaigns.update(org, campaign.id, { status: "paused" })
          yield* campaigns.update(org, campaign.id, { name: "Renamed" })
          yield* campaigns.update(org, campaign.id, { status: "running" })
          yield* campaigns.cancel(org, campaign.id)
          const events = yield* eventsOf(org)
          expect(events.map((e) => e.data)).toEqual([
            { campaign_id: campaign.id, from: "running", to: "paused", changed_at: AT },
            { campaign_id: campaign.id, from: "paused", to: "running", changed_at: AT },
            { campaign_id: campaign.id, from: "running", to: "cancelled", changed_at: AT }
          ])
          expect(events.every((e) => e.type === "campaign.status_changed")).toBe(true)
          decodesAsSent(events)
        }))

      it.effect("a status change that fails inside its transaction writes no event and keeps the status", () =>
        Effect.gen(function*() {
          yield* fresh
          const { campaign, org } = yield* campaignWith(1, 750)
          const campaigns = yield* CampaignRepository
          yield* failWhenPayloadHas(campaign.id)
          expect(Exit.isFailure(yield* Effect.exit(campaigns.update(org, campaign.id, { status: "paused" })))).toBe(true)
          expect(Exit.isFailure(yield* Effect.exit(campaigns.cancel(org, campaign.id)))).toBe(true)
          expect((yield* campaigns.get(org, campaign.id)).status).toBe("running")
          expect(yield* eventsOf(org)).toEqual([])
        }))

      it.effect("suppress, suppress many (one event per number) and lift write lead.suppressed and suppression.lifted", () =>
        Effect.gen(function*() {
          yield* fresh
          const { keyId, org } = yield* newOrg
          const s = yield* SuppressionRepository
          const a = "+14155558001" as E164
          const b = "+14155558002" as E164
          const expires = new Date(START + 86_400_000)
          yield* s.suppress(org, { phone_number: a, reason: "asked", expires_at: expires }, keyId)
          yield* s.suppressMany(org, [
            { phone_number: b, reason: null, expires_at: null },
            { phone_number: a, reason: "again", expires_at: null },
            { phone_number: b, reason: "twice", expires_at: null }
          ], keyId)
          yield* s.lift(org, a, keyId)
          const events = yield* eventsOf(org)
          const suppressed = (phone: string, reason: string | null, expires_at: string | null) => ({
            phone_number: phone,
            reason,
            expires_at,
            api_key_id: keyId,
            lead_id: null,
            campaign_id: null,
            suppressed_at: AT
          })
          expect(events.map((e) => [e.type, e.data])).toEqual([
            ["lead.suppressed", suppressed(a, "asked", expires.toISOString())],
            ["lead.suppressed", suppressed(b, "twice", null)],
            ["lead.suppressed", suppressed(a, "again", null)],
            ["suppression.lifted", {
              phone_number: a,
              reason: "again",
              expires_at: null,
              suppressed_by: keyId,
              suppressed_at: AT,
              lifted_by: keyId,
              lifted_at: AT
            }]
          ])
          decodesAsSent(events)
        }))

      it.effect("a suppression that fails inside its transaction writes no event and suppresses nothing", () =>
        Effect.gen(function*() {
          yield* fresh
          const { keyId, org } = yield* newOrg
          const s = yield* SuppressionRepository
          const phone = "+14155558101" as E164
          yield* failWhenPayloadHas(phone)
          expect(Exit.isFailure(yield* Effect.exit(s.suppress(org, { phone_number: phone, reason: null, expires_at: null }, keyId)))).toBe(true)
          expect(Exit.isFailure(yield* Effect.exit(s.suppressMany(org, [{ phone_number: phone, reason: null, expires_at: null }], keyId))))
            .toBe(true)
          expect((yield* s.activeAmong(org, [phone])).size).toBe(0)
          expect(yield* eventsOf(org)).toEqual([])
        }))
    })
  })
}
