/**
 * The physical baseline for removal throughput on PostgreSQL: a bare `node:http` server on the
 * bare `pg` driver (a `Pool` of 10 connections, leadq's default) over the same leadq database,
 * running the statements leadq's removal runs and nothing else — no framework, no validation
 * layer — so that the ratio leadq/baseline is leadq's own overhead.
 *
 * Per request: the key check (the key's row by id, SHA-256 of the secret compared in constant
 * time), then ONE autocommit statement — a data-modifying CTE that updates the lead (deciding
 * `removed_from` in SQL), writes its audit record (`lead_removals`) and its `lead.removed` event
 * (`outbox_events`, the payload assembled in SQL with the constant tail built here) — then, when
 * the lead was not in a call, the campaign's drain check. No row from the CTE answers 404 (leadq
 * then tells 404 from 409 with one more look-up; the baseline does not need to).
 *
 * How the statements are sent matches `@effect/sql-pg` 0.53 (its `PgClient.js`): every statement
 * is `client.query(text, params)` on a client taken from the pool for that one statement and
 * released after it — an unnamed statement (parse, bind, execute each time, no `name`: nothing is
 * prepared once and reused), no explicit transaction around a single statement. `pool.query`
 * does exactly that.
 *
 *   node tools/bench/dist/BaselineServerPg.js <postgres url> <port>
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto"
import * as http from "node:http"
import pg from "pg"

const [url, port] = process.argv.slice(2)
const pool = new pg.Pool({ connectionString: url!, max: 10, connectionTimeoutMillis: 10_000, application_name: "leadq-baseline" })
pool.on("error", () => {})

const FIND_KEY = "SELECT organization_id, secret_hash, revoked_at FROM api_keys WHERE id = $1"

// $1 now, $2 lead id, $3 organization, $4 removal id, $5 key id, $6 event id, $7 the payload's tail.
const REMOVE = `WITH u AS (
  UPDATE leads SET state = 'removed',
    removed_from = CASE WHEN state = 'pending' THEN 'pending' WHEN state = 'called' THEN 'called' WHEN dialled = 1 THEN 'in_call' ELSE 'claimed' END,
    removed_at = $1,
    claim_id = CASE WHEN state = 'calling' AND dialled = 0 THEN NULL ELSE claim_id END,
    worker_id = CASE WHEN (state = 'calling' AND dialled = 0) OR claim_id IS NULL THEN NULL ELSE worker_id END,
    lease_expires_at = CASE WHEN state = 'calling' AND dialled = 0 THEN NULL ELSE lease_expires_at END,
    updated_at = $1
  WHERE id = $2 AND organization_id = $3 AND state <> 'removed'
    AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = leads.campaign_id AND c.status NOT IN ('completed', 'cancelled'))
  RETURNING id, campaign_id, phone_number, removed_from, attempts
), a AS (
  INSERT INTO lead_removals (id, organization_id, lead_id, campaign_id, api_key_id, removed_from, attempt, reason, removed_at)
  SELECT $4, $3, id, campaign_id, $5, removed_from, attempts, NULL, $1 FROM u
), o AS (
  INSERT INTO outbox_events (id, organization_id, type, payload, created_at)
  SELECT $6, $3, 'lead.removed',
    '{"lead_id":' || to_json(id)::text || ',"campaign_id":' || to_json(campaign_id)::text || ',"phone_number":' || to_json(phone_number)::text
      || ',"removed_from":' || to_json(removed_from)::text || ',"call_in_progress":' || CASE WHEN removed_from = 'in_call' THEN 'true' ELSE 'false' END
      || $7, $1 FROM u
)
SELECT campaign_id, removed_from FROM u`

const DRAIN_CHECK = `SELECT CASE WHEN (EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = $1 AND o.state IN ('pending','calling'))
  OR EXISTS (SELECT 1 FROM leads o WHERE o.campaign_id = $1 AND o.claim_id IS NOT NULL)) THEN 1 ELSE 0 END AS open`

const TOKEN = /^Bearer lq_([0-9a-hjkmnp-tv-z]{24})_([0-9a-hjkmnp-tv-z]{32})$/
const ROUTE = /^\/v1\/campaigns-leads\/([^/?]+)/
const UNAUTHORIZED = { statusCode: 401, message: "Invalid or missing API key.", error: "Unauthorized" }
const NOT_FOUND = { statusCode: 404, message: "Lead not found.", error: "Not Found" }

const answer = (res: http.ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  res.end(json)
}

const remove = async (id: string, authorization: string | undefined) => {
  const token = TOKEN.exec(authorization ?? "")
  if (!token) return { status: 401, body: UNAUTHORIZED }
  const keyId = `key_${token[1]}`
  const { rows: [key] } = await pool.query<{ organization_id: string; secret_hash: string; revoked_at: string | null }>(FIND_KEY, [keyId])
  const actual = createHash("sha256").update(token[2]!).digest()
  const expected = key ? Buffer.from(key.secret_hash, "hex") : undefined
  if (!key || key.revoked_at !== null || !expected || !timingSafeEqual(actual, expected)) return { status: 401, body: UNAUTHORIZED }
  const now = Date.now()
  const suffix = `,"reason":null,"api_key_id":${JSON.stringify(keyId)},"removed_at":"${new Date(now).toISOString()}"}`
  const { rows: [removed] } = await pool.query<{ campaign_id: string; removed_from: string }>(
    REMOVE,
    [now, id, key.organization_id, `rem_${randomUUID()}`, keyId, `evt_${randomUUID()}`, suffix]
  )
  if (removed === undefined) return { status: 404, body: NOT_FOUND }
  // leadq completes a drained campaign here; in the benchmark every campaign stays open.
  if (removed.removed_from !== "in_call") await pool.query(DRAIN_CHECK, [removed.campaign_id])
  return {
    status: 200,
    body: { message: "Lead removed from campaign.", lead_id: id, removed_from: removed.removed_from, call_in_progress: removed.removed_from === "in_call" }
  }
}

http
  .createServer((req, res) => {
    if (req.url === "/healthz") return answer(res, 200, { ok: true })
    const route = ROUTE.exec(req.url ?? "")
    if (req.method !== "DELETE" || route === null) return answer(res, 404, { statusCode: 404, message: "Not found", error: "Not Found" })
    remove(decodeURIComponent(route[1]!), req.headers.authorization).then(
      ({ body, status }) => answer(res, status, body),
      (error: unknown) => answer(res, 500, { statusCode: 500, message: String(error), error: "Internal Server Error" })
    )
  })
  .listen(Number(port), "127.0.0.1")
