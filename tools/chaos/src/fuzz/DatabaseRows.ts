import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * Every row of every table of leadq, serialized exactly as read, keyed by table and id: the
 * before and after of a request that must change nothing. (Not the history checker's snapshot:
 * this one keeps every column, `updated_at` included, and the keys and organizations.)
 */
export const TABLES = [
  "organizations",
  "api_keys",
  "campaigns",
  "leads",
  "call_logs",
  "lead_removals",
  "carrier_events",
  "suppressions",
  "suppression_lifts"
] as const

/** A row's identity: its id, or what the table is keyed by. */
const keyOf = (table: (typeof TABLES)[number], row: Record<string, unknown>) =>
  table === "carrier_events"
    ? String(row["provider_call_id"])
    : table === "suppressions"
    ? `${String(row["organization_id"])} ${String(row["phone_number"])}`
    : String(row["id"])

export const databaseRows = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const out = new Map<string, string>()
  for (const table of TABLES) {
    const rows = yield* sql<Record<string, unknown>>`SELECT * FROM ${sql(table)}`
    for (const row of rows) out.set(`${table}/${keyOf(table, row)}`, JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v)))
  }
  return out
}).pipe(Effect.orDie)

/** The rows that differ between two pictures: added, removed or changed. */
export const rowDiff = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const [k, v] of before) {
    if (!after.has(k)) out.push(`${k} disappeared`)
    else if (after.get(k) !== v) out.push(`${k} changed: ${v} → ${after.get(k)}`)
  }
  for (const k of after.keys()) if (!before.has(k)) out.push(`${k} appeared`)
  return out
}
