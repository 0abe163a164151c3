import type * as SqlClient from "@effect/sql/SqlClient"
import type { ApiKeyId, OrganizationId, SuppressionDraft } from "@leadq/domain"
import { Effect } from "effect"

/**
 * The two statements every writer of the suppression list shares: the lookup (by primary key,
 * for a whole batch of numbers at once) and the upsert. The dial re-check, the lead add, the
 * removal with `suppress` and the suppressions API all go through these.
 */

/** Rows per statement: keeps every statement well under both engines' parameter limits. */
const CHUNK = 500

export interface ActiveSuppression {
  readonly organization_id: string
  readonly phone_number: string
  readonly api_key_id: string
}

/**
 * The active suppressions among these numbers of these organizations, keyed `org phone`. One
 * indexed statement per 500 numbers: `organization_id IN (…) AND phone_number IN (…)` seeks the
 * primary key on both engines.
 */
export const activeSuppressions = (
  sql: SqlClient.SqlClient,
  orgs: ReadonlyArray<string>,
  phones: ReadonlyArray<string>,
  now: number
) =>
  Effect.gen(function*() {
    const out = new Map<string, ActiveSuppression>()
    const distinctOrgs = [...new Set(orgs)]
    const distinct = [...new Set(phones)]
    if (distinctOrgs.length === 0 || distinct.length === 0) return out
    for (let i = 0; i < distinct.length; i += CHUNK) {
      const rows = yield* sql<ActiveSuppression>`SELECT organization_id, phone_number, api_key_id FROM suppressions
        WHERE ${sql.in("organization_id", distinctOrgs)} AND ${sql.in("phone_number", distinct.slice(i, i + CHUNK))}
          AND (expires_at IS NULL OR expires_at > ${now})`
      for (const r of rows) out.set(suppressionKey(r.organization_id, r.phone_number), r)
    }
    return out
  })

export const suppressionKey = (org: string, phone: string) => `${org} ${phone}`

/** The class of the numbers' advisory locks (the second key is the number's hash). */
const NUMBER_LOCK_CLASS = 727_274_004

/**
 * PostgreSQL only (SQLite runs one writer): a lock per (organization, number), taken **shared** by
 * the dial re-check before it looks the batch's numbers up, and **exclusive** by whatever
 * suppresses a number before it writes. Under READ COMMITTED, a suppression committing between the
 * re-check's lookup and its commit would otherwise go unseen, and the number be dialled after the
 * suppression was answered. With the lock, the suppression either commits before the lookup (which
 * then sees it) or waits for the dial transaction to commit (and answers after it, like a removal
 * meeting a dialled lead, docs/design.md §3). One statement for the whole set, in key order, so two
 * holders never wait on each other in a cycle.
 */
export const lockNumbers = (sql: SqlClient.SqlClient, keys: ReadonlyArray<string>, mode: "shared" | "exclusive") => {
  const sorted = [...new Set(keys)].sort()
  if (sorted.length === 0) return Effect.void
  return sql.onDialectOrElse({
    pg: () =>
      Effect.asVoid(
        Effect.forEach(chunks(sorted), (chunk) =>
          sql`SELECT count(${
            mode === "shared" ? sql.literal("pg_advisory_xact_lock_shared") : sql.literal("pg_advisory_xact_lock")
          }(${NUMBER_LOCK_CLASS}, hashtext(k))) AS n
            FROM (SELECT k FROM (VALUES ${sql.csv(chunk.map((k) => sql`(${k})`))}) AS v(k) ORDER BY k) AS ordered`)
      ),
    orElse: () => Effect.void
  })
}

const chunks = (keys: ReadonlyArray<string>) => {
  const out: Array<ReadonlyArray<string>> = []
  for (let i = 0; i < keys.length; i += CHUNK) out.push(keys.slice(i, i + CHUNK))
  return out
}

/**
 * Suppress numbers: a new row, or an existing one given the new reason, expiry and key. An
 * expired row suppressed again starts over (its `created_at` is now).
 */
export const upsertSuppressions = (
  sql: SqlClient.SqlClient,
  org: OrganizationId,
  drafts: ReadonlyArray<SuppressionDraft>,
  apiKeyId: ApiKeyId,
  now: number
) =>
  Effect.gen(function*() {
    // One row per number: a number named twice keeps its last reason and expiry.
    const byPhone = new Map(drafts.map((d) => [d.phone_number as string, d]))
    yield* lockNumbers(sql, [...byPhone.keys()].map((phone) => suppressionKey(org, phone)), "exclusive")
    const rows = [...byPhone.values()].map((d) => ({
      organization_id: org,
      phone_number: d.phone_number,
      reason: d.reason,
      expires_at: d.expires_at?.getTime() ?? null,
      api_key_id: apiKeyId,
      created_at: now,
      updated_at: now
    }))
    for (let i = 0; i < rows.length; i += CHUNK) {
      yield* sql`INSERT INTO suppressions ${sql.insert(rows.slice(i, i + CHUNK))}
        ON CONFLICT (organization_id, phone_number) DO UPDATE SET
          reason = excluded.reason, expires_at = excluded.expires_at, api_key_id = excluded.api_key_id,
          updated_at = excluded.updated_at,
          created_at = CASE WHEN suppressions.expires_at IS NOT NULL AND suppressions.expires_at <= excluded.updated_at
            THEN excluded.created_at ELSE suppressions.created_at END`
    }
    return rows.length
  })
