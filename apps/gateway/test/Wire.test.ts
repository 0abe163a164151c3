import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { isEnvelope, LeadqApi } from "@leadq/api"
import { CampaignNotFound, InvalidInput, LeadNotFound, RetryConfig } from "@leadq/domain"
import { Effect, FastCheck } from "effect"
import * as net from "node:net"
import { TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import type { TestGatewayServices } from "../src/testing/index.js"
import { addLead, call, campaignBody, createCampaign, expectFailure, expectStatus, snapshot } from "./support.js"
import { dialLead } from "./staging.js"

const engines = await testEngines()

const ENDPOINTS = [
  "DELETE /v1/campaigns-leads/{id}",
  "DELETE /v1/suppressions/{phone}",
  "DELETE /v1/webhooks/{id}",
  "GET /healthz",
  "GET /metrics",
  "GET /readyz",
  "GET /v1/call-logs",
  "GET /v1/call-logs/campaign/{campaignId}",
  "GET /v1/call-logs/{id}",
  "GET /v1/campaigns",
  "GET /v1/campaigns-leads",
  "GET /v1/campaigns-leads/{id}",
  "GET /v1/campaigns-leads/{id}/removal",
  "GET /v1/campaigns/{id}",
  "GET /v1/removals",
  "GET /v1/suppressions",
  "GET /v1/suppressions/{phone}",
  "GET /v1/suppressions/{phone}/lifts",
  "GET /v1/webhooks",
  "GET /v1/webhooks/{id}",
  "GET /v1/webhooks/{id}/deliveries",
  "PATCH /v1/campaigns-leads/{id}",
  "PATCH /v1/campaigns/{id}",
  "PATCH /v1/webhooks/{id}",
  "POST /v1/campaigns",
  "POST /v1/campaigns-leads",
  "POST /v1/campaigns-leads/bulk-remove",
  "POST /v1/campaigns-leads/upload-file/{campaignId}",
  "POST /v1/campaigns/{id}/cancel",
  "POST /v1/carrier/webhooks/call-ended",
  "POST /v1/suppressions",
  "POST /v1/suppressions/upload-file",
  "POST /v1/webhooks",
  "POST /v1/webhooks/{id}/deliveries/{deliveryId}/resend"
]

const removalsOf = (metrics: string, from: string) =>
  Number(new RegExp(`^leadq_lead_removals_total\\{removed_from="${from}"\\} (\\d+)$`, "m").exec(metrics)?.[1] ?? 0)

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`the wire on ${engine}`, (it) => {
    describe("every response", () => {
      it.effect("carries a request id: the client's when sane, else a fresh one", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const echoed = yield* call(gw, "GET", "/v1/campaigns", { headers: { "x-request-id": "trace-42.a:b" } })
          expect(echoed.headers.get("x-request-id")).toBe("trace-42.a:b")
          const a = (yield* call(gw, "GET", "/nowhere")).headers.get("x-request-id")
          const b = (yield* call(gw, "GET", "/v1/campaigns", { key: null })).headers.get("x-request-id")
          const c = (yield* call(gw, "GET", "/healthz", { headers: { "x-request-id": "has spaces and <html>" } })).headers.get("x-request-id")
          expect(new Set([a, b, c]).size).toBe(3)
          for (const id of [a, b, c]) expect(id).toMatch(/^[A-Za-z0-9._:-]+$/)
        }))

      it.effect("unknown routes are 404 and known routes with another method 405 with Allow, in the envelope", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          expectFailure(yield* call(gw, "GET", "/v2/campaigns"), 404, "RouteNotFound")
          expectFailure(yield* call(gw, "GET", "/"), 404, "RouteNotFound")
          expectFailure(yield* call(gw, "POST", "/v1/campaigns-leads/a/b/c", { body: {} }), 404, "RouteNotFound")
          const wrong = yield* call(gw, "PUT", "/v1/campaigns/cmp_x", { body: {} })
          const error = expectFailure(wrong, 405, "MethodNotAllowed")
          expect(wrong.headers.get("allow")).toBe("GET, HEAD, PATCH")
          expect(error.allowed).toEqual(["GET", "HEAD", "PATCH"])
          expectFailure(yield* call(gw, "DELETE", "/v1/campaigns"), 405, "MethodNotAllowed")
          expectFailure(yield* call(gw, "GET", "/v1/carrier/webhooks/call-ended"), 405, "MethodNotAllowed")
        }))
    })

    describe("requests Node's HTTP parser refuses", () => {
      /** Raw bytes on a socket: what a broken or hostile client can send. */
      const raw = (baseUrl: string, bytes: string) =>
        Effect.promise(() =>
          new Promise<string>((resolve, reject) => {
            const url = new URL(baseUrl)
            const socket = net.connect(Number(url.port), url.hostname, () => socket.end(bytes))
            let out = ""
            socket.on("data", (d) => (out += d))
            socket.on("close", () => resolve(out))
            socket.on("error", reject)
          })
        )
      const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4))

      it.effect("headers over the limit, a request that is not HTTP, a malformed header: the envelope all the same", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const big = yield* raw(gw.baseUrl, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)
          expect(big).toMatch(/^HTTP\/1\.1 431 /)
          expect(bodyOf(big)).toMatchObject({ statusCode: 431, code: "HeadersTooLarge" })
          for (const bytes of ["GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n"]) {
            const reply = yield* raw(gw.baseUrl, bytes)
            expect(reply).toMatch(/^HTTP\/1\.1 400 /)
            expect(isEnvelope(bodyOf(reply))).toBe(true)
          }
        }))
    })

    describe("service routes", () => {
      it.effect("/openapi.json documents every endpoint; /docs is an HTML reference; /healthz names the engine", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const spec = expectStatus(yield* call(gw, "GET", "/openapi.json", { key: null }), 200)
          const ops = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
            Object.keys(item).filter((m) => ["get", "post", "patch", "delete", "put"].includes(m)).map((m) => `${m.toUpperCase()} ${path}`)
          )
          expect(ops.sort()).toEqual(ENDPOINTS)
          expect(JSON.stringify(spec.paths["/v1/campaigns-leads/{id}"].delete.responses["404"])).toContain("#/components/schemas/LeadNotFound")
          expect(JSON.stringify(spec)).not.toContain("HttpApiDecodeError")
          const docs = yield* call(gw, "GET", "/docs", { key: null })
          expect(docs.status).toBe(200)
          expect(docs.headers.get("content-type")).toContain("text/html")
          expect(docs.text).toContain("<html")
          expect(expectStatus(yield* call(gw, "GET", "/healthz", { key: null }), 200)).toEqual({ ok: true, engine, version: "1.0.0" })
        }))

      it.effect("/metrics: requests by route and status, a latency histogram, removals by the state they came from", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const before = (yield* call(gw, "GET", "/metrics", { key: null })).text
          const campaign = yield* createCampaign(gw)
          const pending = yield* addLead(gw, campaign.id)
          const inCall = yield* addLead(gw, campaign.id)
          yield* dialLead(inCall.id)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${pending.id}`), 200)
          expectStatus(yield* call(gw, "DELETE", `/v1/campaigns-leads/${inCall.id}`), 200)
          expectFailure(yield* call(gw, "DELETE", `/v1/campaigns-leads/${inCall.id}`), 404, "LeadNotFound")
          const reply = yield* call(gw, "GET", "/metrics", { key: null })
          expect(reply.headers.get("content-type")).toContain("text/plain")
          const after = reply.text
          expect(removalsOf(after, "pending") - removalsOf(before, "pending")).toBe(1)
          expect(removalsOf(after, "in_call") - removalsOf(before, "in_call")).toBe(1)
          expect(after).toMatch(/^leadq_http_requests_total\{route="\/v1\/campaigns-leads\/:id",method="DELETE",status="404"\} \d+$/m)
          expect(after).toMatch(/^leadq_http_request_duration_seconds_bucket\{route="\/v1\/campaigns-leads\/:id",method="DELETE",le="\+Inf"\} \d+$/m)
          expect(after).toMatch(/^leadq_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+$/m)
          expect(after).toMatch(/^process_resident_memory_bytes \d+$/m)
        }))
    })

    describe("the typed client derived from the same HttpApi", () => {
      const client = (key: string, baseUrl: string) =>
        HttpApiClient.make(LeadqApi, {
          baseUrl,
          transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(key))
        }).pipe(Effect.provide(FetchHttpClient.layer))

      it.effect("gets the domain's models, and the domain's own error classes back from the envelope", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const api = yield* client(gw.apiKey, gw.baseUrl)
          const campaign = yield* api.campaigns.create({
            payload: {
              ...campaignBody(),
              retry_config: new RetryConfig({ max_retries: 1, retry_interval_minutes: 10 }),
              scheduled_at: new Date("2099-01-01T00:00:00Z")
            } as never
          })
          expect(campaign.scheduled_at).toBeInstanceOf(Date)
          const lead = yield* api.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "+14155550777" } })
          expect(lead.phone_number).toBe("+14155550777")
          const missing = yield* Effect.flip(api.leads.get({ path: { id: "lead_nope" } }))
          expect(missing).toBeInstanceOf(LeadNotFound)
          expect(missing).toMatchObject({ _tag: "LeadNotFound", lead_id: "lead_nope" })
          const invalid = yield* Effect.flip(api.leads.create({ payload: { campaignId: campaign.id, phoneNumber: "12" } }))
          expect(invalid).toBeInstanceOf(InvalidInput)
          expect((invalid as InvalidInput).issues[0]).toContain("phoneNumber")
          const other = yield* gw.newOrganization()
          const foreign = yield* Effect.flip((yield* client(other.apiKey, gw.baseUrl)).campaigns.get({ path: { id: campaign.id } }))
          expect(foreign).toBeInstanceOf(CampaignNotFound)
          const removal = yield* api.leads.remove({ path: { id: lead.id }, urlParams: { reason: "test" } })
          expect(removal).toMatchObject({ lead_id: lead.id, removed_from: "pending" })
          const page = yield* api.callLogs.list({ urlParams: { campaign_id: campaign.id } })
          expect(page.meta.total).toBe(0)
        }))
    })
  })

  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 300_000 })(`fuzzing on ${engine}`, (it) => {
    it.effect("random methods, paths, ids, queries, bodies and headers: never a 5xx, every failure in the envelope, no change from a rejected request", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const campaign = yield* createCampaign(gw, gw.apiKey, { scheduled_at: "2099-01-01T00:00:00.000Z" })
        const lead = yield* addLead(gw, campaign.id)
        const context = yield* Effect.context<TestGatewayServices>()
        const run = <A>(effect: Effect.Effect<A, never, TestGatewayServices>) => Effect.runPromise(Effect.provide(effect, context))

        const id = FastCheck.oneof(
          FastCheck.constantFrom(campaign.id, lead.id, "cmp_x", "lead_x", "%00", "..%2F..%2Fetc", "a".repeat(300), "%F0%9F%98%80", "'%20OR%201=1"),
          FastCheck.string({ maxLength: 40 }).map(encodeURIComponent)
        )
        const path = FastCheck.tuple(
          FastCheck.constantFrom(...ENDPOINTS.map((e) => e.split(" ")[1]!), "/v1", "/v1/campaigns-leads/upload-file", "/docs", "/openapi.json"),
          id
        ).map(([p, i]) => p.replace(/\{[A-Za-z]+\}/g, i))
        const query = FastCheck.array(
          FastCheck.tuple(
            FastCheck.constantFrom("page", "limit", "status", "campaign_id", "lead_id", "reason", "start_date", "duration_min", "created_at", "phone_number", "x"),
            FastCheck.oneof(FastCheck.constantFrom("1", "0", "-1", "100", "101", "1e309", "NaN", "pending", "", "%00"), FastCheck.string({ maxLength: 20 }).map(encodeURIComponent))
          ),
          { maxLength: 4 }
        ).map((pairs) => (pairs.length === 0 ? "" : "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&")))
        const body = FastCheck.oneof(
          FastCheck.constant(undefined),
          FastCheck.jsonValue().map((v) => JSON.stringify(v)),
          FastCheck.record({ name: FastCheck.string(), campaignId: FastCheck.constantFrom(campaign.id, "cmp_x"), phoneNumber: FastCheck.string(), notes: FastCheck.object() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
          FastCheck.string({ maxLength: 200 }),
          FastCheck.constant("x".repeat(1_100_000))
        )
        const contentType = FastCheck.constantFrom(undefined, "application/json", "text/plain", "multipart/form-data; boundary=z", "application/x-www-form-urlencoded", "application/json; charset=latin1", "garbage")
        const auth = FastCheck.constantFrom("valid", "none", "empty", "garbage", "unknown")
        const method = FastCheck.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS")

        let checked = 0
        yield* Effect.promise(() =>
          FastCheck.assert(
            FastCheck.asyncProperty(method, path, query, body, contentType, auth, async (m, p, q, b, ct, a) => {
              const headers: Record<string, string> = {}
              if (ct !== undefined) headers["content-type"] = ct
              const key = a === "valid" ? gw.apiKey : a === "none" ? null : a === "empty" ? "" : a === "garbage" ? "\u00ff\u00fe" : `lq_${"z".repeat(24)}_${"y".repeat(32)}`
              const before = await run(snapshot)
              const reply = await run(call(gw, m, p + q, { key, headers, ...(b !== undefined && m !== "GET" ? { body: b } : {}) }))
              expect(reply.status, `${m} ${p}${q} -> ${reply.text.slice(0, 300)}`).toBeLessThan(500)
              if (reply.status >= 400) {
                expect(isEnvelope(reply.json), `${m} ${p}${q} -> ${reply.text.slice(0, 300)}`).toBe(true)
                expect(reply.json.statusCode).toBe(reply.status)
                expect(await run(snapshot)).toEqual(before)
              }
              checked++
            }),
            { numRuns: 150 }
          )
        )
        expect(checked).toBeGreaterThanOrEqual(150)
      }), { timeout: 300_000 })
  })
}
