import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Effect } from "effect"
import type { CallLogRow, CampaignRow, LeadRow, RemovalRow, Snapshot } from "./History.js"

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))

/**
 * The run has drained: no call is going on and no lead of a running campaign is due. A run is
 * checked only once quiet, so that every call it started has ended in the picture.
 */
export const isQuiet = (s: Snapshot): boolean => {
  const running = new Set(s.campaigns.filter((c) => c.status === "running").map((c) => c.id))
  return s.leads.every((l) => l.state !== "calling") &&
    !s.leads.some((l) => l.state === "pending" && running.has(l.campaign_id) && l.scheduled_at <= s.taken_at)
}

/**
 * What the database holds right now, read straight from the tables (the checker is a witness:
 * it does not go through the code it checks). Optionally only some campaigns.
 */
export const takeSnapshot = (campaignIds?: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const taken_at = yield* Clock.currentTimeMillis
    const only = (column: string) =>
      campaignIds === undefined ? sql.literal("") : sql`WHERE ${sql.in(column, [...campaignIds])}`
    const campaigns = yield* sql<Record<string, unknown>>`
      SELECT id, organization_id, status, max_concurrent_calls, max_retries FROM campaigns ${only("id")} ORDER BY id`
    const leads = yield* sql<Record<string, unknown>>`
      SELECT id, organization_id, campaign_id, state, outcome, attempts, scheduled_at, claim_id, worker_id, dialled,
             call_log_id, removed_from
      FROM leads ${only("campaign_id")} ORDER BY seq`
    const logs = yield* sql<Record<string, unknown>>`
      SELECT id, call_id, organization_id, campaign_id, lead_id, attempt, status, end_reason, duration_seconds,
             started_at, ended_at, created_at
      FROM call_logs ${only("campaign_id")} ORDER BY seq`
    const removals = yield* sql<Record<string, unknown>>`
      SELECT id, lead_id, campaign_id, api_key_id, removed_from, attempt, reason, removed_at
      FROM lead_removals ${only("campaign_id")} ORDER BY removed_at, id`
    return {
      taken_at,
      campaigns: campaigns.map((r): CampaignRow => ({
        id: String(r["id"]),
        organization_id: String(r["organization_id"]),
        status: String(r["status"]),
        max_concurrent_calls: num(r["max_concurrent_calls"]),
        max_retries: num(r["max_retries"])
      })),
      leads: leads.map((r): LeadRow => ({
        id: String(r["id"]),
        organization_id: String(r["organization_id"]),
        campaign_id: String(r["campaign_id"]),
        state: r["state"] as LeadRow["state"],
        outcome: (r["outcome"] ?? null) as LeadRow["outcome"],
        attempts: num(r["attempts"]),
        scheduled_at: num(r["scheduled_at"]),
        claim_id: (r["claim_id"] ?? null) as string | null,
        worker_id: (r["worker_id"] ?? null) as string | null,
        dialled: num(r["dialled"]) === 1,
        call_log_id: (r["call_log_id"] ?? null) as string | null,
        removed_from: (r["removed_from"] ?? null) as string | null
      })),
      call_logs: logs.map((r): CallLogRow => ({
        id: String(r["id"]),
        call_id: String(r["call_id"]),
        organization_id: String(r["organization_id"]),
        campaign_id: String(r["campaign_id"]),
        lead_id: String(r["lead_id"]),
        attempt: num(r["attempt"]),
        status: String(r["status"]),
        end_reason: (r["end_reason"] ?? null) as string | null,
        duration_seconds: numOrNull(r["duration_seconds"]),
        started_at: numOrNull(r["started_at"]),
        ended_at: numOrNull(r["ended_at"]),
        created_at: num(r["created_at"])
      })),
      removals: removals.map((r): RemovalRow => ({
        id: String(r["id"]),
        lead_id: String(r["lead_id"]),
        campaign_id: String(r["campaign_id"]),
        api_key_id: String(r["api_key_id"]),
        removed_from: r["removed_from"] as RemovalRow["removed_from"],
        attempt: num(r["attempt"]),
        reason: (r["reason"] ?? null) as string | null,
        removed_at: num(r["removed_at"])
      }))
    } satisfies Snapshot
  })
