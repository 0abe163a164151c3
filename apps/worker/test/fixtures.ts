import type { SqlClient } from "@effect/sql"
import type { CallLog, Campaign, CampaignDraft, CampaignLead, E164, LeadDraft, Notes, OrganizationId } from "@leadq/domain"
import { ApiKeyRepository, CallLogRepository, CampaignRepository, LeadRepository, RetryConfig } from "@leadq/domain"
import type { Database } from "@leadq/store"
import { StoreLive } from "@leadq/store"
import type { Engine } from "@leadq/store/testing"
import { testDatabaseLayer } from "@leadq/store/testing"
import type { Carrier, LedgerDial, LedgerHangUp, LedgerLine } from "@leadq/telephony"
import { Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import type { WorkerSettings } from "../src/index.js"
import { WorkerConfigWith, WorkerRunner, workerSettings } from "../src/index.js"

/** A fresh migrated database of that engine, with every store service on it. */
export const storeLayer = (engine: Engine) =>
  StoreLive.pipe(Layer.provideMerge(testDatabaseLayer(engine))) as Layer.Layer<
    Layer.Layer.Success<typeof StoreLive> | SqlClient.SqlClient | Database
  >

export type StoreServices = Layer.Layer.Success<ReturnType<typeof storeLayer>>

let orgSeq = 0
export const newOrg = Effect.gen(function*() {
  const issued = yield* Effect.flatMap(ApiKeyRepository, (k) => k.createKey(`org-${process.pid}-${orgSeq++}-${Math.random().toString(36).slice(2)}`))
  return { org: issued.organization_id as OrganizationId, keyId: issued.api_key_id, apiKey: issued.api_key }
})

export const campaignDraft = (overrides: Partial<CampaignDraft> = {}): CampaignDraft => ({
  name: "Renewals",
  agent_id: "agent_1",
  from_phone_number: "+14155550100" as E164,
  max_concurrent_calls: 2,
  retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 1 }),
  ...overrides
})

export const leadDraft = (i: number, notes: Notes = {}): LeadDraft => ({
  name: `Lead ${i}`,
  phone_number: `+1415555${String(1000 + i).padStart(4, "0")}` as E164,
  notes
})

/** An organization, a campaign and its leads, one per notes object, enqueued in order. */
export const seed = (leads: ReadonlyArray<Notes>, overrides: Partial<CampaignDraft> = {}) =>
  Effect.gen(function*() {
    const { keyId, org } = yield* newOrg
    const campaign = yield* Effect.flatMap(CampaignRepository, (c) => c.create(org, campaignDraft(overrides)))
    const repo = yield* LeadRepository
    const added: Array<CampaignLead> = []
    for (const [i, notes] of leads.entries()) added.push(yield* repo.add(org, campaign.id, leadDraft(i, notes)))
    return { org, keyId, campaign, leads: added }
  })

/** Workers log at info; tests show warnings and errors only, unless LEADQ_TEST_LOG=debug|info. */
const testLogLevel = Logger.minimumLogLevel(
  process.env["LEADQ_TEST_LOG"] === "debug" ? LogLevel.Debug : process.env["LEADQ_TEST_LOG"] === "info" ? LogLevel.Info : LogLevel.Warning
)

/**
 * A worker running until `stop` (which is what SIGTERM does to the real process: the layer's
 * scope closes). It is stopped at the end of the test in any case.
 */
export const startWorker = (carrier: Layer.Layer<Carrier>, overrides: Partial<WorkerSettings> = {}) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const settings = workerSettings({ poll_interval_ms: 100, lease_ms: 3_000, sweep_interval_ms: 200, ...overrides })
    yield* Layer.buildWithScope(
      WorkerRunner.pipe(Layer.provide(carrier), Layer.provide(WorkerConfigWith(settings)), Layer.provide(testLogLevel)),
      scope
    )
    return { settings, stop: Scope.close(scope, Exit.void) }
  })

/** Wait, in real time, until `check` passes (it fails or dies while the condition does not hold). */
export const eventually = <A, E, R>(check: Effect.Effect<A, E, R>, timeoutMs = 20_000, everyMs = 50) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const exit = yield* Effect.exit(check)
      if (Exit.isSuccess(exit)) return exit.value
      if (Date.now() > deadline) return yield* exit
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, everyMs)))
    }
  })

export const liveSleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

export const dialsOf = (lines: ReadonlyArray<LedgerLine>) => lines.filter((l): l is LedgerDial => l.type === "dial")
export const hangUpsOf = (lines: ReadonlyArray<LedgerLine>) => lines.filter((l): l is LedgerHangUp => l.type === "hangup")

export const logsOf = (org: OrganizationId, campaign: Campaign) =>
  Effect.map(
    Effect.flatMap(CallLogRepository, (r) => r.listByCampaign(org, campaign.id, { page: 1, limit: 100, sort: "asc" })),
    (page): ReadonlyArray<CallLog> => page.data
  )

export const campaignOf = (org: OrganizationId, campaign: Campaign) => Effect.flatMap(CampaignRepository, (r) => r.get(org, campaign.id))

export const leadOf = (org: OrganizationId, lead: CampaignLead) => Effect.flatMap(LeadRepository, (r) => r.get(org, lead.id))

/** The most calls of one campaign going on at the same instant, by the ledger. */
export const maxOverlap = (lines: ReadonlyArray<LedgerLine>, campaignId: string) => {
  const ends = new Map(hangUpsOf(lines).map((h) => [h.call_id, Date.parse(h.at)]))
  const points: Array<[number, number]> = []
  for (const d of dialsOf(lines)) {
    if (d.campaign_id !== campaignId) continue
    points.push([Date.parse(d.at), +1])
    points.push([ends.get(d.call_id) ?? Infinity, -1])
  }
  // At the same instant an end comes before a start: a slot freed and retaken is no overlap.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let max = 0
  for (const [, delta] of points) {
    now += delta
    max = Math.max(max, now)
  }
  return max
}
