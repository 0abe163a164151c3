/**
 * The physical baseline for removal throughput: a bare `node:http` server on `better-sqlite3`
 * over the same leadq database schema, with the same durability (WAL, synchronous=FULL), the same
 * bearer-key check (look the key up by id, SHA-256 of the secret compared in constant time) and
 * the same conditional update. Nothing else: no framework, no audit record, no validation layer.
 *
 *   node tools/bench/dist/BaselineServer.js <sqlite file> <port>
 */
import Database from "better-sqlite3"
import { createHash, timingSafeEqual } from "node:crypto"
import * as http from "node:http"

const [file, port] = process.argv.slice(2)
const db = new Database(file!, { timeout: 10_000 })
db.pragma("journal_mode = WAL")
db.pragma("synchronous = FULL")

const findKey = db.prepare<[string], { organization_id: string; secret_hash: string; revoked_at: number | null }>(
  "SELECT organization_id, secret_hash, revoked_at FROM api_keys WHERE id = ?"
)
const removeLead = db.prepare<[number, number, string, string]>(
  "UPDATE leads SET state = 'removed', removed_from = 'pending', removed_at = ?, updated_at = ? " +
    "WHERE id = ? AND organization_id = ? AND state <> 'removed'"
)
const TOKEN = /^Bearer lq_([0-9a-hjkmnp-tv-z]{24})_([0-9a-hjkmnp-tv-z]{32})$/
const ROUTE = /^\/v1\/campaigns-leads\/([^/?]+)/

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
    const key = token ? findKey.get(`key_${token[1]}`) : undefined
    const actual = token ? createHash("sha256").update(token[2]!).digest() : undefined
    const expected = key ? Buffer.from(key.secret_hash, "hex") : undefined
    if (!key || key.revoked_at !== null || !actual || !expected || !timingSafeEqual(actual, expected)) {
      return answer(res, 401, { statusCode: 401, message: "Invalid or missing API key.", error: "Unauthorized" })
    }
    const now = Date.now()
    const changed = removeLead.run(now, now, decodeURIComponent(route[1]!), key.organization_id).changes
    if (changed === 1) return answer(res, 200, { message: "Lead removed from campaign." })
    return answer(res, 404, { statusCode: 404, message: "Lead not found.", error: "Not Found" })
  })
  .listen(Number(port), "127.0.0.1")
