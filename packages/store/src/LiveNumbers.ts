import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type { LeadId, SkippedDraft } from "@leadq/domain"
import { Effect } from "effect"

/** Rows per INSERT in bulk: 16 columns × 500 stays far below both engines' parameter limits. */
const INSERT_CHUNK = 500

/** The partial unique index of migration 0006. */
const INDEX = "leads_live_number"

/** A lead row about to be inserted: what the duplicate check reads of it. */
export interface NewLeadRow {
  readonly id: string
  readonly phone_number: string
  readonly [column: string]: unknown
}

export interface LiveInsert {
  readonly created: number
  readonly skipped: ReadonlyArray<SkippedDraft>
  /** The first new lead's id (the one `add` answers with). */
  readonly first: string | undefined
}

/**
 * A campaign holds a phone number once while its lead is not removed (migration 0006). Inserts
 * check first, in their own transaction, which live leads already hold the numbers (one indexed
 * query per 500 rows, so a 100k-row upload stays one fast write), and then insert with
 * `ON CONFLICT … DO NOTHING` on the partial unique index: a number taken by a concurrent
 * transaction after the check is skipped too (on PostgreSQL the insert waits for that
 * transaction to commit), never a failed statement that would abort the whole upload.
 */
export const LiveNumbers = (sql: SqlClient.SqlClient) => {
  // The conflict target repeats the index's predicate: that is how both engines find a partial index.
  const onTaken = sql.literal(`ON CONFLICT (campaign_id, phone_number, duplicate_slot) WHERE state <> 'removed' DO NOTHING`)

  /** The live leads holding any of the numbers, earliest first (a legacy duplicate, migration 0006, holds its number too). */
  const holders = (campaignId: string, numbers: ReadonlyArray<string>) =>
    numbers.length === 0 ? Effect.succeed([]) : sql<{ readonly id: LeadId; readonly phone_number: string }>`
      SELECT id, phone_number FROM leads
      WHERE campaign_id = ${campaignId} AND ${sql.in("phone_number", numbers)} AND state <> 'removed'
      ORDER BY seq`

  const holderOf = (campaignId: string, phone: string) => Effect.map(holders(campaignId, [phone]), ([h]) => h?.id)

  /**
   * The drafts in order, made into rows one chunk at a time (`toRows` keeps the order; a 100k-row
   * upload never holds all its rows at once); a number held already or by an earlier draft is
   * skipped and reported.
   */
  const insert = <D extends { readonly phone_number: string }>(
    campaignId: string,
    drafts: ReadonlyArray<D>,
    toRows: (chunk: ReadonlyArray<D>) => ReadonlyArray<NewLeadRow>
  ) =>
    Effect.gen(function*() {
      const held = new Map<string, LeadId | null>()
      const skipped: Array<SkippedDraft> = []
      let created = 0
      let first: string | undefined
      for (let start = 0; start < drafts.length; start += INSERT_CHUNK) {
        const chunk = toRows(drafts.slice(start, start + INSERT_CHUNK))
        const unseen = [...new Set(chunk.map((r) => r.phone_number))].filter((n) => !held.has(n))
        for (const h of yield* holders(campaignId, unseen)) if (!held.has(h.phone_number)) held.set(h.phone_number, h.id)
        const fresh: Array<NewLeadRow> = []
        const indexOf = new Map<string, number>()
        chunk.forEach((row, i) => {
          const holder = held.get(row.phone_number)
          if (holder !== undefined) {
            skipped.push({ index: start + i, phone_number: row.phone_number, reason: "duplicate", lead_id: holder })
            return
          }
          held.set(row.phone_number, row.id as LeadId)
          indexOf.set(row.id, start + i)
          fresh.push(row)
        })
        if (fresh.length === 0) continue
        const inserted = new Set(
          (yield* sql<{ readonly id: string }>`INSERT INTO leads ${sql.insert(fresh)} ${onTaken} RETURNING id`).map((r) => r.id)
        )
        created += inserted.size
        first ??= fresh.find((r) => inserted.has(r.id))?.id
        const lost = fresh.filter((r) => !inserted.has(r.id))
        if (lost.length === 0) continue
        // Taken by another transaction since the check; it has committed, so its lead is readable.
        const winners = new Map<string, LeadId>()
        for (const h of yield* holders(campaignId, lost.map((r) => r.phone_number))) {
          if (!winners.has(h.phone_number)) winners.set(h.phone_number, h.id)
        }
        for (const row of lost) {
          const winner = winners.get(row.phone_number) ?? null
          held.set(row.phone_number, winner)
          skipped.push({ index: indexOf.get(row.id)!, phone_number: row.phone_number, reason: "duplicate", lead_id: winner })
        }
        skipped.sort((a, b) => a.index - b.index)
      }
      return { created, skipped, first } satisfies LiveInsert
    })

  /** The index refused a row (an UPDATE has no `ON CONFLICT`): SQLite's or PostgreSQL's unique violation on it. */
  const isTaken = (e: unknown): e is SqlError.SqlError => {
    if ((e as { _tag?: unknown })?._tag !== "SqlError") return false
    // node-postgres names the violated index in `constraint`.
    const cause = (e as SqlError.SqlError).cause as { code?: unknown; constraint?: unknown; message?: unknown } | undefined
    if (cause?.code === "23505") return cause.constraint === INDEX
    return cause?.code === "SQLITE_CONSTRAINT_UNIQUE" && typeof cause.message === "string" && cause.message.includes("leads.phone_number")
  }

  return { holders, holderOf, insert, isTaken }
}
