import { describe, expect, it } from "@effect/vitest"
import { startTestGateway, testEngines } from "@leadq/gateway/testing"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import type { FuzzRequest, FuzzResponse } from "../src/index.js"
import { databaseRows, eachNotFound, fetchOpenApi, operationsOf, problemsOf, rowDiff, send, stageOrganization, tenancyProbes } from "../src/index.js"

/**
 * Tenants apart and keys not guessable by brute force, proven from outside a real gateway:
 * another organization's key on every endpoint that names a resource (404, nothing changed,
 * nothing listed), and failed key attempts refused with 429 and `Retry-After` per key id and per
 * client address (other client addresses are 127.0.0.x loopback sources).
 */
const engines = await testEngines()

const sendOrFail = (baseUrl: string, request: FuzzRequest) =>
  Effect.promise(async (): Promise<FuzzResponse> => {
    const r = await send(baseUrl, request, 10_000)
    if (r === undefined) throw new Error(`not sent: ${request.method} ${request.path}`)
    return r
  })

const get = (key: string | undefined, path: string, localAddress: string, extra: Record<string, string> = {}): FuzzRequest => ({
  operation: "auth",
  method: "GET",
  path,
  headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...extra },
  localAddress
})

/** A well-formed key of an existing key id with a wrong secret. */
const wrongSecret = (key: string) => key.replace(/_[^_]+$/, `_${"0".repeat(32)}`)
/** A well-formed key of a key id nobody has. */
const randomKey = () => `lq_${randomBytes(12).toString("hex").replace(/[ilou]/g, "a").slice(0, 24)}_${"1".repeat(32)}`

for (const engine of engines) {
  describe(`abuse on ${engine}`, () => {
    it.live("another organization's key on every endpoint that names a resource: 404 (or an empty list), and not one row changed", () =>
      Effect.scoped(Effect.gen(function*() {
        const gw = yield* startTestGateway(engine)
        const a = yield* Effect.provide(stageOrganization(gw.baseUrl, "a"), gw.context)
        const b = yield* Effect.provide(stageOrganization(gw.baseUrl, "b"), gw.context)
        const operations = operationsOf(yield* fetchOpenApi(gw.baseUrl))
        const probes = tenancyProbes(operations, a.org, b.org.apiKey)
        const rows = databaseRows.pipe(Effect.provide(gw.context))
        const before = yield* rows
        const aIds = [...a.org.campaigns, ...a.org.leads, ...a.org.callLogs, ...a.org.suppressions]
        const wrong: Array<string> = []
        for (const probe of probes) {
          const response = yield* sendOrFail(gw.baseUrl, probe.request)
          const where = `${probe.request.method} ${probe.request.path}`
          for (const p of problemsOf(probe.request, response)) wrong.push(`${where}: ${p}`)
          const text = response.body.toString("utf8")
          if (probe.expect === "404" && response.status !== 404) wrong.push(`${where}: answered ${response.status}, not 404: ${text.slice(0, 200)}`)
          if (probe.expect === "each-not-found" && response.status !== 404 && !(response.status === 200 && eachNotFound(JSON.parse(text)))) {
            wrong.push(`${where}: answered ${response.status} ${text.slice(0, 300)}`)
          }
          if (probe.expect === "no-leak") {
            if (response.status !== 200 && response.status !== 404) wrong.push(`${where}: answered ${response.status}`)
            const leaked = aIds.filter((id) => text.includes(id))
            if (leaked.length > 0) wrong.push(`${where}: shows A's ${leaked.join(", ")}`)
          }
        }
        console.log(`[tenancy] ${engine}: ${probes.length} requests with B's key on A's ids (${probes.filter((p) => p.expect === "404").length} naming a resource, the rest lists)`)
        expect(wrong).toEqual([])
        expect(rowDiff(before, yield* rows)).toEqual([])
        // Every operation that names a resource of an organization was probed (creating a campaign
        // a suppression or a webhook endpoint names none).
        const probed = new Set(probes.map((p) => p.request.operation))
        const creators = new Set(["campaigns.create", "suppressions.create", "suppressions.upload", "webhooks.create"])
        // Webhook operations are not probed here yet: their tenancy (another organization's endpoint
        // or delivery is 404, nothing changed) is tested in apps/gateway/test/Webhooks.test.ts and
        // WebhookDeliveries.test.ts. Adding them to this sweep is open work.
        const elsewhere = (id: string) => id.startsWith("webhooks.") || id.startsWith("webhookDeliveries.")
        for (const op of operations.filter((o) => o.secured && !creators.has(o.id) && !elsewhere(o.id))) expect(probed, op.id).toContain(op.id)
        expect(probes.filter((p) => p.expect === "404").length).toBeGreaterThan(40)
      })), 120_000)

    it.live("key brute force: 429 with Retry-After per key id (even for the right secret) and per client address (X-Forwarded-For changes nothing); others unaffected; nothing changed", () =>
      Effect.scoped(Effect.gen(function*() {
        const gw = yield* startTestGateway(engine, { settings: { auth_max_failures_per_key: 3, auth_max_failures_per_address: 6, auth_failure_window_ms: 60_000 } })
        const a = yield* Effect.provide(stageOrganization(gw.baseUrl, "a"), gw.context)
        const b = yield* Effect.provide(stageOrganization(gw.baseUrl, "b"), gw.context)
        const rows = databaseRows.pipe(Effect.provide(gw.context))
        const status = (r: FuzzRequest) => Effect.map(sendOrFail(gw.baseUrl, r), (res) => {
          expect(problemsOf(r, res)).toEqual([])
          return res
        })
        const before = yield* rows

        // Per key id: three wrong secrets for A's key from one address lock that key for everyone.
        for (let i = 0; i < 3; i++) expect((yield* status(get(wrongSecret(a.org.apiKey), "/v1/campaigns", "127.0.0.2"))).status).toBe(401)
        const locked = yield* status(get(wrongSecret(a.org.apiKey), "/v1/campaigns", "127.0.0.2"))
        expect(locked.status).toBe(429)
        const retryAfter = Number(locked.headers["retry-after"])
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(60)
        expect(JSON.parse(locked.body.toString())).toMatchObject({ statusCode: 429, error: "Too Many Requests" })
        expect((yield* status(get(a.org.apiKey, "/v1/campaigns", "127.0.0.3"))).status).toBe(429)
        // …and a right DELETE with the locked key is refused too, the lead untouched.
        const del = yield* status({ operation: "auth", method: "DELETE", path: `/v1/campaigns-leads/${a.org.leads[0]}`, headers: { authorization: `Bearer ${a.org.apiKey}` }, localAddress: "127.0.0.3" })
        expect(del.status).toBe(429)
        // Another key, from another address, is not affected.
        expect((yield* status(get(b.org.apiKey, "/v1/campaigns", "127.0.0.3"))).status).toBe(200)

        // Per client address: six failures on six different key ids lock the address, whatever key comes next.
        for (let i = 0; i < 6; i++) expect((yield* status(get(randomKey(), "/v1/campaigns", "127.0.0.4"))).status).toBe(401)
        expect((yield* status(get(b.org.apiKey, "/v1/campaigns", "127.0.0.4"))).status).toBe(429)
        expect((yield* status(get(b.org.apiKey, "/v1/campaigns", "127.0.0.4", { "x-forwarded-for": "10.9.9.9", "x-real-ip": "10.9.9.9" }))).status).toBe(429)
        // Missing or malformed tokens count against the address as well.
        for (let i = 0; i < 6; i++) expect((yield* status(get(i % 2 === 0 ? undefined : "garbage", "/v1/campaigns", "127.0.0.6"))).status).toBe(401)
        expect((yield* status(get(b.org.apiKey, "/v1/campaigns", "127.0.0.6"))).status).toBe(429)
        expect((yield* status(get(b.org.apiKey, "/v1/campaigns", "127.0.0.5"))).status).toBe(200)

        expect(rowDiff(before, yield* rows)).toEqual([])
      })), 120_000)

    it.live("Retry-After tells the truth: once it has passed, the right key is accepted again", () =>
      Effect.scoped(Effect.gen(function*() {
        const gw = yield* startTestGateway(engine, { settings: { auth_max_failures_per_key: 2, auth_max_failures_per_address: 100, auth_failure_window_ms: 2_000 } })
        const a = yield* Effect.provide(stageOrganization(gw.baseUrl, "a"), gw.context)
        for (let i = 0; i < 2; i++) expect((yield* sendOrFail(gw.baseUrl, get(wrongSecret(a.org.apiKey), "/v1/campaigns", "127.0.0.7"))).status).toBe(401)
        const locked = yield* sendOrFail(gw.baseUrl, get(a.org.apiKey, "/v1/campaigns", "127.0.0.7"))
        expect(locked.status).toBe(429)
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, Number(locked.headers["retry-after"]) * 1000 + 100)))
        expect((yield* sendOrFail(gw.baseUrl, get(a.org.apiKey, "/v1/campaigns", "127.0.0.7"))).status).toBe(200)
      })), 60_000)
  })
}
