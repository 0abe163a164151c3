/**
 * The physical baseline for removal throughput on SQLite: a bare `node:http` server on
 * `better-sqlite3` over the same leadq database, with the same connection settings as the store
 * (WAL, synchronous=FULL, foreign keys on, 32 MiB page cache, a busy timeout) and the same
 * bearer-key check (look the key up by id, SHA-256 of the secret compared in constant time).
 * Nothing else: no framework, no validation layer. The ratio leadq/baseline is then leadq's own
 * overhead over the statements it must run.
 *
 * Two modes:
 * - `full` (the default): the statements leadq's removal runs, in one transaction per request
 *   (`db.transaction`: BEGIN … COMMIT): the conditional UPDATE that decides `removed_from` in SQL
 *   and returns whether the campaign has other open leads, the audit record (`lead_removals`) and
 *   the `lead.removed` event (`outbox_events`, payload built here). The campaign-completion
 *   check after a removal that leaves no open lead is not run: in the benchmark every campaign
 *   keeps open leads until its last one.
 * - `minimal`: what this baseline did before issue 13 — the key check and one plain UPDATE in
 *   autocommit, no audit, no event — so that ratios against it stay comparable across runs.
 *
 *   node tools/bench/dist/BaselineServer.js <sqlite file> <port> [full|minimal]
 */
import Database from "better-sqlite3"
import { createHash, randomUUID, timingSafeEqual } from "node:crypto"
import * as http from "node:http"

const [file, port, modeArg] = process.argv.slice(2)
const mode = modeArg ?? "full"
if (mode !== "full" && mode !== "minimal") throw new Error(`mode must be full or minimal, got ${mode}`)

const db = new Database(file!, { timeout: 10_000 })
db.pragma("journal_mode = WAL")
db.pragma("synchronous = FULL")
db.pragma("foreign_keys = ON")
db.pragma("cache_size = -32768")

const findKey = db.prepare<[string], { organization_id: string; secret_hash: string; revoked_at: number | null }>(
  "SELECT organization_id, secret_hash, revoked_at FROM api_keys WHERE id = ?"
)

const removeMinimal = db.prepare<[number, number, string, string]>(
  "UPDATE leads SET state = 'removed', removed_from = 'pending', removed_at = ?, updated_at = ? " +
    "WHERE id = ? AND organization_id = ? AND state <> 'removed'"
)

interface Removed {
  readonly campaign_id: string
  readonly phone_number: string
  readonly removed_from: "pending" | "called" | "in_call" | "claimed"
  readonly attempts: number
  readonly others_open: number
}

// The subquery in RETURNING is accepted by SQLite (3.35+): no separate SELECT is needed.
const removeFull = db.prepare<[number, number, string, string], Removed>(
  `UPDATE leads SET state = 'removed',
    removed_from = CASE WHEN state = 'pending' THEN 'pending' WHEN state = 'called' THEN 'called' WHEN dialled = 1 THEN 'in_call' ELSE 'claimed' END,
    removed_at = ?,
    claim_id = CASE WHEN state = 'calling' AND dialled = 0 THEN NULL ELSE claim_id END,
    worker_id = CASE WHEN (state = 'calling' AND dialled = 0) OR claim_id IS NULL THEN NULL ELSE worker_id END,
    lease_expires_at = CASE WHEN state = 'calling' AND dialled = 0 THEN NULL ELSE lease_expires_at END,
    updated_at = ?
  WHERE id = ? AND organization_id = ? AND state <> 'removed'
    AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = leads.campaign_id AND c.status NOT IN ('completed', 'cancelled'))
  RETURNING campaign_id, phone_number, removed_from, attempts,
    CASE WHEN (EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = leads.campaign_id AND o.id <> leads.id AND o.state IN ('pending','calling'))
      OR EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = leads.campaign_id AND o.id <> leads.id AND o.claim_id IS NOT NULL)) THEN 1 ELSE 0 END AS others_open`
)
const insertRemoval = db.prepare<[string, string, string, string, string, string, number, null, number]>(
  `INSERT INTO lead_removals (id, organization_id, lead_id, campaign_id, api_key_id, removed_from, attempt, reason, removed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
)
const insertEvent = db.prepare<[string, string, string, string, number]>(
  "INSERT INTO outbox_events (id, organization_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)"
)

const removeLead = db.transaction((id: string, org: string, keyId: string, now: number): Removed | undefined => {
  const row = removeFull.get(now, now, id, org)
  if (row === undefined) return undefined
  insertRemoval.run(`rem_${randomUUID()}`, org, id, row.campaign_id, keyId, row.removed_from, row.attempts, null, now)
  const payload = JSON.stringify({
    lead_id: id,
    campaign_id: row.campaign_id,
    phone_number: row.phone_number,
    removed_from: row.removed_from,
    call_in_progress: row.removed_from === "in_call",
    reason: null,
    api_key_id: keyId,
    removed_at: new Date(now).toISOString()
  })
  insertEvent.run(`evt_${randomUUID()}`, org, "lead.removed", payload, now)
  return row
})

const TOKEN = /^Bearer lq_([0-9a-hjkmnp-tv-z]{24})_([0-9a-hjkmnp-tv-z]{32})$/
const ROUTE = /^\/v1\/campaigns-leads\/([^/?]+)/
const NOT_FOUND = { statusCode: 404, message: "Lead not found.", error: "Not Found" }

const answer = (res: http.ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  res.end(json)
}

http
  .createServer((req, res) => {
    if (req.url === "/healthz") return answer(res, 200, { ok: true })
    const route = ROUTE.exec(req.url ?? "")
    if (req.method !== "DELETE" || route === null) return answer(res, 404, { statusCode: 404, message: "Not found", error: "Not Found" })
    const token = TOKEN.exec(req.headers.authorization ?? "")
    const keyId = token ? `key_${token[1]}` : undefined
    const key = keyId ? findKey.get(keyId) : undefined
    const actual = token ? createHash("sha256").update(token[2]!).digest() : undefined
    const expected = key ? Buffer.from(key.secret_hash, "hex") : undefined
    if (!key || key.revoked_at !== null || !actual || !expected || !timingSafeEqual(actual, expected)) {
      return answer(res, 401, { statusCode: 401, message: "Invalid or missing API key.", error: "Unauthorized" })
    }
    const id = decodeURIComponent(route[1]!)
    const now = Date.now()
    if (mode === "minimal") {
      const changed = removeMinimal.run(now, now, id, key.organization_id).changes
      if (changed === 1) return answer(res, 200, { message: "Lead removed from campaign." })
      return answer(res, 404, NOT_FOUND)
    }
    const removed = removeLead(id, key.organization_id, keyId!, now)
    if (removed === undefined) return answer(res, 404, NOT_FOUND)
    return answer(res, 200, {
      message: "Lead removed from campaign.",
      lead_id: id,
      removed_from: removed.removed_from,
      call_in_progress: removed.removed_from === "in_call"
    })
  })
  .listen(Number(port), "127.0.0.1")
