import type * as SqlClient from "@effect/sql/SqlClient"
import type { ApiKeyId, OrganizationId, RemovalRequest, RemovedFrom } from "@leadq/domain"
import { unsafeMakeId } from "@leadq/domain"
import { Effect } from "effect"
import { openLeadsExist } from "./Counters.js"
import { numOrNull } from "./Sql.js"

/**
 * The removal's fast path (docs/design.md §3, "The removal in one statement"): the table of
 * `LeadLifecycle.remove` written as one conditional `UPDATE … RETURNING`, so that the common case
 * (a lead that is there, in a campaign that is not over) costs one statement instead of a locked
 * read, a compare-and-set and the checks between them.
 *
 * - The `WHERE` admits exactly the leads the rule removes: not removed yet, campaign not
 *   completed or cancelled. A lead it does not admit is handed to the full rule, which answers
 *   404 or 409 (or removes it, if it changed in between): the errors keep one definition.
 * - The `SET` is the rule's table: pending and called leave as they are; a claim not yet
 *   dialled is voided (the worker's re-check cancels the dial); a call in progress keeps its
 *   claim and goes on. On PostgreSQL an `UPDATE` that waited for a row lock re-reads the row
 *   and re-evaluates both, so two removals or a removal and a dial never interleave.
 * - The audit record and the `lead.removed` event are written from the row the statement
 *   returned: on PostgreSQL in the same statement (data-modifying `WITH`, one autocommit round
 *   trip, atomic); on SQLite in the same group-commit transaction, right after it.
 *
 * A test runs every row of the table through this path and through the full rule and holds
 * the two equal (`RemovalStatement.test.ts`).
 */
export interface RemovedRow {
  readonly campaign_id: string
  readonly phone_number: string
  readonly removed_from: RemovedFrom
  /** SQLite: whether the campaign has other open leads (exact, one writer); PostgreSQL: null. */
  readonly others_open: number | null
}

/** `lead.removed`'s data (docs/webhooks.md), built around the three values only the row knows. */
const payloadHead = (leadId: string) => `{"lead_id":${JSON.stringify(leadId)},"campaign_id":`

const payloadTail = (request: RemovalRequest, at: string) =>
  `,"reason":${JSON.stringify(request.reason ?? null)},"api_key_id":${JSON.stringify(request.api_key_id as ApiKeyId)},"removed_at":${
    JSON.stringify(at)
  }}`

/** The same payload in JS, from the returned row (SQLite). Key order as `JSON.stringify` of the event. */
const payloadOf = (leadId: string, row: RemovedRow, request: RemovalRequest, at: string) =>
  `${payloadHead(leadId)}${JSON.stringify(row.campaign_id)},"phone_number":${JSON.stringify(row.phone_number)},"removed_from":${
    JSON.stringify(row.removed_from)
  },"call_in_progress":${row.removed_from === "in_call"}${payloadTail(request, at)}`

export const makeRemovalStatement = (sql: SqlClient.SqlClient) => {
  /** The rule's table as a `SET` (column references are the row as it was before the update). */
  const releases = sql.literal("state = 'calling' AND dialled = 0")
  const update = (org: OrganizationId, id: string, now: number) =>
    sql`UPDATE leads SET state = 'removed',
        removed_from = CASE WHEN state = 'pending' THEN 'pending' WHEN state = 'called' THEN 'called'
          WHEN dialled = 1 THEN 'in_call' ELSE 'claimed' END,
        removed_at = ${now},
        claim_id = CASE WHEN ${releases} THEN NULL ELSE claim_id END,
        worker_id = CASE WHEN (${releases}) OR claim_id IS NULL THEN NULL ELSE worker_id END,
        lease_expires_at = CASE WHEN ${releases} THEN NULL ELSE lease_expires_at END,
        updated_at = ${now}
      WHERE id = ${id} AND organization_id = ${org} AND state <> 'removed'
        AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = leads.campaign_id AND c.status NOT IN ('completed', 'cancelled'))`

  const audit = (org: OrganizationId, request: RemovalRequest, now: number) => ({
    id: unsafeMakeId.removal(),
    organization_id: org,
    api_key_id: request.api_key_id,
    reason: request.reason ?? null,
    removed_at: now
  })

  const sqlite = (org: OrganizationId, id: string, request: RemovalRequest, now: number) =>
    Effect.gen(function*() {
      const [row] = yield* sql<RemovedRow & { readonly attempts: number }>`${update(org, id, now)}
        RETURNING campaign_id, phone_number, removed_from, attempts,
          CASE WHEN ${openLeadsExist(sql, sql.literal("leads.campaign_id"), sql`AND o.id <> leads.id`)} THEN 1 ELSE 0 END AS others_open`
      if (row === undefined) return undefined
      const a = audit(org, request, now)
      yield* sql`INSERT INTO lead_removals ${
        sql.insert({
          id: a.id,
          organization_id: org,
          lead_id: id,
          campaign_id: row.campaign_id,
          api_key_id: a.api_key_id,
          removed_from: row.removed_from,
          attempt: row.attempts,
          reason: a.reason,
          removed_at: now
        })
      }`
      yield* sql`INSERT INTO outbox_events ${
        sql.insert({
          id: unsafeMakeId.event(),
          organization_id: org,
          type: "lead.removed",
          payload: payloadOf(id, row, request, new Date(now).toISOString()),
          created_at: now
        })
      }`
      return row
    })

  const pg = (org: OrganizationId, id: string, request: RemovalRequest, now: number) =>
    Effect.gen(function*() {
      const a = audit(org, request, now)
      const [row] = yield* sql<RemovedRow>`WITH u AS (${update(org, id, now)}
          RETURNING id, campaign_id, phone_number, removed_from, attempts
        ), a AS (
          INSERT INTO lead_removals (id, organization_id, lead_id, campaign_id, api_key_id, removed_from, attempt, reason, removed_at)
          SELECT ${a.id}, ${org}, id, campaign_id, ${a.api_key_id}, removed_from, attempts, ${a.reason}, ${now} FROM u
        ), o AS (
          INSERT INTO outbox_events (id, organization_id, type, payload, created_at)
          SELECT ${unsafeMakeId.event()}, ${org}, 'lead.removed',
            ${payloadHead(id)} || to_json(campaign_id)::text || ',"phone_number":' || to_json(phone_number)::text
              || ',"removed_from":' || to_json(removed_from)::text
              || ',"call_in_progress":' || CASE WHEN removed_from = 'in_call' THEN 'true' ELSE 'false' END
              || ${payloadTail(request, new Date(now).toISOString())},
            ${now}
          FROM u
        )
        SELECT campaign_id, phone_number, removed_from, NULL AS others_open FROM u`
      return row === undefined ? undefined : { ...row, others_open: numOrNull(row.others_open) }
    })

  return {
    /**
     * Remove the lead if the rule's table admits it at once; `undefined` when the statement
     * changed nothing (gone, already removed, campaign over, another organization's): the caller
     * asks the full rule why. On SQLite it runs inside the caller's transaction; on PostgreSQL
     * it is a transaction of its own.
     */
    run: sql.onDialectOrElse({ pg: () => pg, orElse: () => sqlite })
  }
}
