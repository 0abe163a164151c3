import type { SqlClient } from "@effect/sql"
import type { CallOutcome, CampaignDraft, E164, LeadDraft, OrganizationId } from "@leadq/domain"
import { ApiKeyRepository, RetryConfig } from "@leadq/domain"
import { Clock, Effect, Layer } from "effect"
import { StoreLive } from "../src/index.js"
import type { Engine } from "../src/testing/index.js"
import { testDatabaseLayer, testOutcome } from "../src/testing/index.js"
import type { Database } from "../src/Database.js"

export const storeLayer = (engine: Engine) => StoreLive.pipe(Layer.provideMerge(testDatabaseLayer(engine))) as Layer.Layer<
  Layer.Layer.Success<typeof StoreLive> | SqlClient.SqlClient | Database
>

let orgSeq = 0
/** A fresh organization (suites share a database, so every test makes its own). */
export const newOrg = Effect.gen(function*() {
  const keys = yield* ApiKeyRepository
  const issued = yield* keys.createKey(`org-${process.pid}-${orgSeq++}-${Math.random().toString(36).slice(2)}`)
  return { org: issued.organization_id as OrganizationId, keyId: issued.api_key_id, apiKey: issued.api_key }
})

export const campaignDraft = (overrides: Partial<CampaignDraft> = {}): CampaignDraft => ({
  name: "Renewals",
  agent_id: "agent_1",
  from_phone_number: "+14155550100" as E164,
  max_concurrent_calls: 2,
  retry_config: new RetryConfig({ max_retries: 1, retry_interval_minutes: 10 }),
  ...overrides
})

export const leadDraft = (i: number, notes: LeadDraft["notes"] = {}): LeadDraft => ({
  name: `Lead ${i}`,
  phone_number: `+1415555${String(1000 + i).padStart(4, "0")}` as E164,
  notes
})

export const outcome = (status: CallOutcome["status"], durationSeconds = 3) =>
  Effect.map(Clock.currentTimeMillis, (now) => testOutcome(status, durationSeconds, now))
