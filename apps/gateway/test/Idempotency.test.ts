import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { randomToken } from "@leadq/domain"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { IdempotencyKeys, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import type { TestGatewayInfo } from "../src/testing/index.js"
import type { Reply } from "./support.js"
import { call, campaignBody, createCampaign, expectFailure, expectStatus, freshPhone, snapshot } from "./support.js"

const engines = await testEngines()
const FUTURE = { scheduled_at: "2099-01-01T00:00:00.000Z" }
const LEADS = "/v1/campaigns-leads"

const freshKey = () => `test-${randomToken(16)}`

/** POST with an Idempotency-Key; `body` sent as this exact JSON text. */
const keyed = (gw: TestGatewayInfo, path: string, key: string, body: string, apiKey: string = gw.apiKey) =>
  call(gw, "POST", path, { key: apiKey, body, headers: { "idempotency-key": key, "content-type": "application/json" } })

const leadCount = (campaignId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number | string }>`SELECT count(*) AS n FROM leads WHERE campaign_id = ${campaignId}`).pipe(
    Effect.map((rows) => Number(rows[0]!.n)),
    Effect.orDie
  )

const storedKeys = (key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT organization_id FROM idempotency_keys WHERE idempotency_key = ${key}`).pipe(
    Effect.map((rows) => rows.length),
    Effect.orDie
  )

/** What the wire of a first answer and its replays must share. */
const wire = (r: Reply) => ({ status: r.status, type: r.headers.get("content-type"), text: r.text })

const isReplay = (r: Reply) => r.headers.get("idempotent-replayed") === "true"

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`Idempotency-Key on ${engine}`, (it) => {
    describe("POST /v1/campaigns-leads", () => {
      it.effect("10 at once, then 3 more, with one key: one lead; every 2xx the same bytes; the losers 409 with Retry-After", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const key = freshKey()
          const body = JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone(), name: "Ada" })
          const concurrent = yield* Effect.all(Array.from({ length: 10 }, () => keyed(gw, LEADS, key, body)), { concurrency: "unbounded" })
          const sequential = yield* Effect.all(Array.from({ length: 3 }, () => keyed(gw, LEADS, key, body)))
          const all = [...concurrent, ...sequential]
          expect(all.every((r) => r.status === 201 || r.status === 409)).toBe(true)
          const created = all.filter((r) => r.status === 201)
          expect(created.filter((r) => !isReplay(r))).toHaveLength(1)
          expect(new Set(created.map((r) => JSON.stringify(wire(r)))).size).toBe(1)
          for (const r of sequential) expect({ ...wire(r), replayed: isReplay(r) }).toEqual({ ...wire(created[0]!), replayed: true })
          for (const r of all.filter((r) => r.status === 409)) {
            expect(expectFailure(r, 409, "IdempotencyKeyInUse")).toMatchObject({ idempotency_key: key, retry_after_seconds: 1 })
            expect(r.headers.get("retry-after")).toBe("1")
          }
          expect(yield* leadCount(campaign.id)).toBe(1)
        }))

      it.effect("while another gateway runs the request (its claim in the database): 409, nothing written; once it lets go, the request runs", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const keys = yield* IdempotencyKeys
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const key = freshKey()
          const body = JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone(), name: "Ada" })
          // The fingerprint the gateway computes (docs/api.md): method, URL, body bytes.
          const fingerprint = createHash("sha256").update(`POST ${LEADS}\n`).update(body).digest("hex")
          const claim = yield* keys.claim({
            organizationId: gw.organizationId,
            key,
            fingerprint,
            now: Date.now(),
            ttlMs: 86_400_000,
            abandonedAfterMs: 600_000
          })
          if (claim._tag !== "Claimed") throw new Error("claim lost")
          const before = yield* snapshot
          expectFailure(yield* keyed(gw, LEADS, key, body), 409, "IdempotencyKeyInUse")
          expect(yield* snapshot).toEqual(before)
          // The other request failed with a 5xx: its key is released and a retry runs.
          yield* keys.release(gw.organizationId, key, claim.token)
          const reply = yield* keyed(gw, LEADS, key, body)
          expectStatus(reply, 201)
          expect(isReplay(reply)).toBe(false)
          expect(yield* leadCount(campaign.id)).toBe(1)
        }))

      it.effect("the same key with another body, path or method is 422 in the envelope and writes nothing", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const key = freshKey()
          const phone = freshPhone()
          expectStatus(yield* keyed(gw, LEADS, key, JSON.stringify({ campaignId: campaign.id, phoneNumber: phone, name: "Ada" })), 201)
          const before = yield* snapshot
          const differing = [
            keyed(gw, LEADS, key, JSON.stringify({ campaignId: campaign.id, phoneNumber: phone, name: "Bob" })),
            // The same JSON value, other bytes: the fingerprint is of the bytes.
            keyed(gw, LEADS, key, JSON.stringify({ campaignId: campaign.id, phoneNumber: phone, name: "Ada" }, null, 1)),
            keyed(gw, `/v1/campaigns/${campaign.id}/cancel`, key, "")
          ]
          for (const reply of yield* Effect.all(differing)) {
            const error = expectFailure(reply, 422, "IdempotencyKeyReused")
            expect(error.idempotency_key).toBe(key)
            expect(error.error).toBe("Unprocessable Entity")
          }
          expect(yield* snapshot).toEqual(before)
          expect(yield* leadCount(campaign.id)).toBe(1)
        }))

      it.effect("two organizations with one key do not collide; without the header, two requests are two leads", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const other = yield* gw.newOrganization()
          const mine = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const theirs = yield* createCampaign(gw, other.apiKey, FUTURE)
          const key = freshKey()
          const a = expectStatus(yield* keyed(gw, LEADS, key, JSON.stringify({ campaignId: mine.id, phoneNumber: freshPhone() })), 201)
          const b = expectStatus(yield* keyed(gw, LEADS, key, JSON.stringify({ campaignId: theirs.id, phoneNumber: freshPhone() }), other.apiKey), 201)
          expect(a.campaign_id).toBe(mine.id)
          expect(b.campaign_id).toBe(theirs.id)
          expect(yield* storedKeys(key)).toBe(2)

          // Without the header the same request runs twice. (Campaigns: a campaign holds a lead's
          // number once, so a second identical lead would be refused by that rule, not replayed.)
          const body = campaignBody({ ...FUTURE, name: `twice-${freshKey()}` })
          const first = expectStatus(yield* call(gw, "POST", "/v1/campaigns", { body }), 201)
          const second = yield* call(gw, "POST", "/v1/campaigns", { body })
          expect(expectStatus(second, 201).id).not.toBe(first.id)
          expect(second.headers.get("idempotent-replayed")).toBeNull()
          // And the same lead body twice, without a key, is run twice: the second meets the duplicate rule.
          const lead = { campaignId: mine.id, phoneNumber: freshPhone() }
          expectStatus(yield* call(gw, "POST", LEADS, { body: lead }), 201)
          expectFailure(yield* call(gw, "POST", LEADS, { body: lead }), 409, "DuplicateLead")
          expect(yield* leadCount(mine.id)).toBe(2)
        }))

      it.effect("a request whose API key does not authenticate is refused as usual and neither reads nor stores an answer", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const key = freshKey()
          const body = JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })
          const first = expectStatus(yield* keyed(gw, LEADS, key, body), 201)
          const wrong = gw.apiKey.replace(/_[^_]+$/, `_${"0".repeat(32)}`)
          expectFailure(yield* keyed(gw, LEADS, key, body, wrong), 401, "Unauthorized")
          const fresh = freshKey()
          expectFailure(yield* call(gw, "POST", LEADS, { key: null, body, headers: { "idempotency-key": fresh, "content-type": "application/json" } }), 401, "Unauthorized")
          expect(yield* storedKeys(fresh)).toBe(0)
          // The real organization's answer is intact, and its next key is still its own.
          expect(expectStatus(yield* keyed(gw, LEADS, key, body), 201)).toEqual(first)
          expect(isReplay(yield* keyed(gw, LEADS, fresh, JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })))).toBe(false)
        }))

      it.effect("a 4xx is kept and replayed too (the same request would be refused again)", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const key = freshKey()
          const body = JSON.stringify({ phoneNumber: "+14155550123" })
          const first = yield* keyed(gw, LEADS, key, body)
          expectFailure(first, 400, "InvalidInput")
          const again = yield* keyed(gw, LEADS, key, body)
          expect({ ...wire(again), replayed: isReplay(again) }).toEqual({ ...wire(first), replayed: true })
        }))

      it.effect("a 5xx is not kept: the key is released, and the retry runs the request", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const sql = yield* SqlClient.SqlClient
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const phone = freshPhone()
          // The database refuses this one lead (an outage, as far as the gateway can tell).
          const refuse = engine === "pg"
            ? Effect.zipRight(
              sql.unsafe(`CREATE FUNCTION refuse_lead() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`),
              sql.unsafe(`CREATE TRIGGER refuse_lead BEFORE INSERT ON leads FOR EACH ROW WHEN (NEW.phone_number = '${phone}') EXECUTE FUNCTION refuse_lead()`)
            )
            : sql.unsafe(`CREATE TRIGGER refuse_lead BEFORE INSERT ON leads WHEN NEW.phone_number = '${phone}' BEGIN SELECT RAISE(ABORT, 'refused'); END`)
          const allow = engine === "pg"
            ? Effect.zipRight(sql.unsafe(`DROP TRIGGER refuse_lead ON leads`), sql.unsafe(`DROP FUNCTION refuse_lead()`))
            : sql.unsafe(`DROP TRIGGER refuse_lead`)
          yield* Effect.orDie(refuse)
          const key = freshKey()
          const body = JSON.stringify({ campaignId: campaign.id, phoneNumber: phone })
          const failed = yield* keyed(gw, LEADS, key, body).pipe(Effect.ensuring(Effect.orDie(allow)))
          expectFailure(failed, 500, "InternalError")
          expect(yield* storedKeys(key)).toBe(0)
          const retried = yield* keyed(gw, LEADS, key, body)
          expectStatus(retried, 201)
          expect(isReplay(retried)).toBe(false)
          expect(yield* leadCount(campaign.id)).toBe(1)
        }))

      it.effect("a key that is empty, over 255 characters or not printable ASCII is 400, and nothing runs", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const body = JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })
          for (const key of ["", "x".repeat(256), "caf\u00e9", "tab\there"]) {
            const error = expectFailure(yield* keyed(gw, LEADS, key, body), 400, "InvalidInput")
            expect(error.message).toEqual([expect.stringContaining("Idempotency-Key: must be 1 to 255 printable ASCII characters")])
          }
          expect(yield* leadCount(campaign.id)).toBe(0)
          expectStatus(yield* keyed(gw, LEADS, "k".repeat(255), body), 201)
          expectStatus(yield* keyed(gw, LEADS, "~ a key with spaces inside ~", JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })), 201)
        }))

      it.effect("past 24 h a key is forgotten: the same key runs a new request", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const sql = yield* SqlClient.SqlClient
          const campaign = yield* createCampaign(gw, gw.apiKey, FUTURE)
          const key = freshKey()
          expectStatus(yield* keyed(gw, LEADS, key, JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })), 201)
          const newer = JSON.stringify({ campaignId: campaign.id, phoneNumber: freshPhone() })
          expectFailure(yield* keyed(gw, LEADS, key, newer), 422, "IdempotencyKeyReused")
          // 24 h and a millisecond ago, as the clock of whichever gateway prunes sees it.
          yield* sql`UPDATE idempotency_keys SET created_at = ${Date.now() - 86_400_001} WHERE idempotency_key = ${key}`.pipe(Effect.orDie)
          const reply = yield* keyed(gw, LEADS, key, newer)
          expectStatus(reply, 201)
          expect(isReplay(reply)).toBe(false)
          expect(yield* leadCount(campaign.id)).toBe(2)
        }))
    })

    describe("every POST", () => {
      it.effect("create and cancel a campaign, upload a file, bulk-remove: a repeat is replayed byte for byte and changes nothing", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const campaign = JSON.stringify({
            name: "Idempotent",
            agent_id: "agent_1",
            from_phone_number: "+14155550100",
            max_concurrent_calls: 1,
            retry_config: { max_retries: 0, retry_interval_minutes: 10 },
            ...FUTURE
          })
          const twice = (path: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
            Effect.gen(function*() {
              const key = freshKey()
              const send = call(gw, "POST", path, { body, headers: { ...headers, "idempotency-key": key } })
              const first = yield* send
              const before = yield* snapshot
              const again = yield* send
              expect(yield* snapshot).toEqual(before)
              expect(isReplay(first)).toBe(false)
              expect({ ...wire(again), replayed: isReplay(again) }).toEqual({ ...wire(first), replayed: true })
              return first
            })
          const created = expectStatus(yield* twice("/v1/campaigns", campaign), 201)
          const boundary = "fixed-boundary-7f3a"
          const csv = `phone_number,name\n${freshPhone()},Ada\n${freshPhone()},Bob\n`
          const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\n` +
            `Content-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`
          const uploaded = expectStatus(
            yield* twice(`${LEADS}/upload-file/${created.id}`, multipart, { "content-type": `multipart/form-data; boundary=${boundary}` }),
            201
          )
          expect(uploaded).toMatchObject({ leads_created: 2 })
          expect(yield* leadCount(created.id)).toBe(2)
          const leads = (yield* call(gw, "GET", `${LEADS}?campaign_id=${created.id}`)).json.data as Array<{ id: string }>
          expectStatus(yield* twice(`${LEADS}/bulk-remove`, JSON.stringify({ lead_ids: [leads[0]!.id] })), 200)
          expectStatus(yield* twice(`/v1/campaigns/${created.id}/cancel`, ""), 200)
        }))
    })
  })
}
