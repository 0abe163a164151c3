import * as SqlClient from "@effect/sql/SqlClient"
import { ApiKeyRepository, CallOutcome, LeadQueue, randomToken } from "@leadq/domain"
import type { LeadqHttp } from "@leadq/history"
import { makeLeadqHttp } from "@leadq/history"
import { Effect } from "effect"
import type { FuzzPools } from "./RequestArbitrary.js"

/**
 * The organizations the fuzzer works on, staged through the public API (and, for call logs, the
 * queue the worker uses): campaigns running, paused and cancelled, pending and removed leads, and
 * finished calls with their logs — so that requests with right ids reach every handler.
 */
export interface Organization {
  readonly apiKey: string
  readonly http: LeadqHttp
  readonly campaigns: Array<string>
  readonly leads: Array<string>
  readonly callLogs: Array<string>
  /** Suppressed numbers (E.164), named by `/v1/suppressions/{phone}`. */
  readonly suppressions: Array<string>
}

export type TargetServices = ApiKeyRepository | LeadQueue | SqlClient.SqlClient

const created = (what: string) => (a: { readonly status: number; readonly body: unknown }) =>
  a.status === 201 || a.status === 200 ? Effect.succeed(a.body as { id: string }) : Effect.dieMessage(`${what}: ${a.status} ${JSON.stringify(a.body)}`)

let phones = 0
const phone = () => `+1650${String(2_000_000 + phones++ * 7 + Math.floor(Math.random() * 7))}`

/** A running campaign with `leads` pending leads (added to the organization's pools). */
export const addCampaign = (org: Organization, leads: number, label: string) =>
  Effect.gen(function*() {
    const campaign = yield* Effect.flatMap(
      Effect.orDie(org.http.request("POST", "/v1/campaigns", {
        name: `fuzz ${label}`,
        agent_id: "agent_fuzz",
        from_phone_number: "+14155550100",
        max_concurrent_calls: 3,
        retry_config: { max_retries: 1, retry_interval_minutes: 5 }
      })),
      created("campaign")
    )
    org.campaigns.push(campaign.id)
    for (let i = 0; i < leads; i++) {
      const lead = yield* Effect.flatMap(
        Effect.orDie(org.http.request("POST", "/v1/campaigns-leads", { campaignId: campaign.id, phoneNumber: phone(), name: `Lead ${i}`, notes: { i } })),
        created("lead")
      )
      org.leads.push(lead.id)
    }
    return campaign.id
  })

/** Every due lead of the running campaigns is dialled and finished, as a worker would (call logs). */
const finishDueCalls = (org: Organization) =>
  Effect.gen(function*() {
    const queue = yield* LeadQueue
    const claims = yield* queue.claimDue({ worker_id: "fuzz-stager", limit: 50, lease_ms: 60_000 })
    for (const claim of claims) {
      const dial = yield* Effect.orDie(queue.startDial(claim, 60_000))
      const now = new Date()
      yield* Effect.orDie(queue.finishCall(dial, new CallOutcome({ status: "completed", end_reason: "user_disconnected", connected_at: now, ended_at: now, duration_seconds: 1 })))
      org.callLogs.push(dial.call_log_id)
    }
  })

export const stageOrganization = (baseUrl: string, label: string) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeyRepository
    const name = `fuzz-${label}-${randomToken(8)}`
    const issued = yield* keys.createKey(name)
    const revoked = yield* keys.createKey(name)
    yield* Effect.orDie(keys.revoke(revoked.api_key_id))
    const org: Organization = { apiKey: issued.api_key, http: makeLeadqHttp(baseUrl, issued.api_key), campaigns: [], leads: [], callLogs: [], suppressions: [] }
    // Called leads and their logs first, while nothing else is due.
    yield* addCampaign(org, 3, `${label} called`)
    yield* finishDueCalls(org)
    const paused = yield* addCampaign(org, 3, `${label} paused`)
    yield* Effect.orDie(org.http.request("PATCH", `/v1/campaigns/${paused}`, { status: "paused" }))
    const cancelled = yield* addCampaign(org, 2, `${label} cancelled`)
    yield* Effect.orDie(org.http.request("POST", `/v1/campaigns/${cancelled}/cancel`))
    yield* addCampaign(org, 6, `${label} running`)
    yield* Effect.orDie(org.http.request("DELETE", `/v1/campaigns-leads/${org.leads[org.leads.length - 1]!}`))
    const suppressed = phone()
    yield* Effect.flatMap(Effect.orDie(org.http.request("POST", "/v1/suppressions", { phone_number: suppressed, reason: "fuzz" })), (a) =>
      a.status === 201 ? Effect.void : Effect.dieMessage(`suppression: ${a.status} ${JSON.stringify(a.body)}`))
    org.suppressions.push(suppressed)
    return { org, revokedKey: revoked.api_key }
  })

export const poolsOf = (a: Organization, b: Organization, revokedKey: string, webhookSecret: string): FuzzPools => ({
  campaigns: a.campaigns,
  leads: a.leads,
  callLogs: a.callLogs,
  foreign: [...b.campaigns, ...b.leads, ...b.callLogs],
  apiKey: a.apiKey,
  revokedKey,
  webhookSecret
})
