import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ApiKeyRepository, TestGateway, testEngines, testGatewayLayer } from "../src/testing/index.js"
import { call, createCampaign, expectFailure, expectStatus } from "./support.js"

const engines = await testEngines()

/** One path per authenticated endpoint (ids need not exist: authentication comes first). */
const PROTECTED: ReadonlyArray<readonly [string, string]> = [
  ["POST", "/v1/campaigns"],
  ["GET", "/v1/campaigns"],
  ["GET", "/v1/campaigns/cmp_x"],
  ["PATCH", "/v1/campaigns/cmp_x"],
  ["POST", "/v1/campaigns/cmp_x/cancel"],
  ["POST", "/v1/campaigns-leads"],
  ["POST", "/v1/campaigns-leads/upload-file/cmp_x"],
  ["GET", "/v1/campaigns-leads"],
  ["GET", "/v1/campaigns-leads/lead_x"],
  ["PATCH", "/v1/campaigns-leads/lead_x"],
  ["DELETE", "/v1/campaigns-leads/lead_x"],
  ["GET", "/v1/call-logs"],
  ["GET", "/v1/call-logs/campaign/cmp_x"],
  ["GET", "/v1/call-logs/log_x"]
]

const wellFormedUnknown = `lq_${"a".repeat(24)}_${"b".repeat(32)}`

for (const engine of engines) {
  layer(testGatewayLayer(engine), { excludeTestServices: true, timeout: 120_000 })(`API keys on ${engine}`, (it) => {
    it.effect("every /v1 endpoint refuses a request without a key: 401 in the envelope", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        for (const [method, path] of PROTECTED) {
          // A body of the right type: a wrong one is turned away (415) before authentication.
          const body = path.includes("upload-file") ? new FormData() : method === "POST" || method === "PATCH" ? {} : undefined
          const error = expectFailure(
            yield* call(gw, method, path, { key: null, ...(body !== undefined ? { body } : {}) }),
            401,
            "Unauthorized"
          )
          expect(error.message).toContain("API key")
        }
      }))

    for (const [what, header] of [
      ["an empty bearer token", "Bearer "],
      ["another scheme", `Basic ${Buffer.from("user:pass").toString("base64")}`],
      ["a malformed key", "Bearer lq_short_key"],
      ["a well-formed key that does not exist", `Bearer ${wellFormedUnknown}`],
      ["a key with a wrong secret", "WRONG_SECRET"],
      ["garbage", "Bearer \u00e9\u00e9\u00e9"]
    ] as const) {
      it.effect(`401 for ${what}`, () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const value = header === "WRONG_SECRET" ? `Bearer ${gw.apiKey.slice(0, -4)}zzzz` : header
          expectFailure(yield* call(gw, "GET", "/v1/campaigns", { key: null, headers: { authorization: value } }), 401, "Unauthorized")
        }))
    }

    it.effect("a revoked key is refused at once; other keys of the organization keep working", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        const keys = yield* ApiKeyRepository
        const org = yield* gw.newOrganization()
        expectStatus(yield* call(gw, "GET", "/v1/campaigns", { key: org.apiKey }), 200)
        yield* Effect.orDie(keys.revoke(org.apiKeyId))
        expectFailure(yield* call(gw, "GET", "/v1/campaigns", { key: org.apiKey }), 401, "Unauthorized")
        expectStatus(yield* call(gw, "GET", "/v1/campaigns"), 200)
      }))

    it.effect("the service routes need no key", () =>
      Effect.gen(function*() {
        const gw = yield* TestGateway
        for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]) {
          expect((yield* call(gw, "GET", path, { key: null })).status).toBe(200)
        }
      }))
  })

  describe(`brute force on ${engine}`, () => {
    layer(
      testGatewayLayer(engine, { settings: { auth_max_failures_per_key: 3, auth_max_failures_per_address: 1_000, auth_failure_window_ms: 120_000 } }),
      { excludeTestServices: true, timeout: 120_000 }
    )("per key id", (it) => {
      it.effect("after 3 wrong secrets on one key id, that key id is refused with 429 + Retry-After, even with its right secret", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          const victim = yield* gw.newOrganization()
          const wrong = `${victim.apiKey.slice(0, -6)}zzzzzz`
          for (let i = 0; i < 3; i++) {
            expectFailure(yield* call(gw, "GET", "/v1/campaigns", { key: wrong }), 401, "Unauthorized")
          }
          const limited = yield* call(gw, "GET", "/v1/campaigns", { key: victim.apiKey })
          const error = expectFailure(limited, 429, "RateLimited")
          const retryAfter = Number(limited.headers.get("retry-after"))
          expect(retryAfter).toBeGreaterThan(0)
          expect(retryAfter).toBeLessThanOrEqual(120)
          expect(error.retry_after_seconds).toBe(retryAfter)
          // Other keys, from the same address, are not affected.
          expectStatus(yield* call(gw, "GET", "/v1/campaigns"), 200)
          yield* createCampaign(gw)
        }))
    })

    layer(
      testGatewayLayer(engine, { settings: { auth_max_failures_per_key: 1_000, auth_max_failures_per_address: 5, auth_failure_window_ms: 120_000 } }),
      { excludeTestServices: true, timeout: 120_000 }
    )("per client address", (it) => {
      it.effect("after 5 failures from one address, every attempt from it is a 429, valid key or not", () =>
        Effect.gen(function*() {
          const gw = yield* TestGateway
          for (let i = 0; i < 5; i++) {
            const random = `lq_${String(i).repeat(24)}_${"c".repeat(32)}`
            expectFailure(yield* call(gw, "GET", "/v1/campaigns", { key: random }), 401, "Unauthorized")
          }
          const limited = yield* call(gw, "GET", "/v1/campaigns")
          expectFailure(limited, 429, "RateLimited")
          expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
          expectFailure(yield* call(gw, "DELETE", "/v1/campaigns-leads/lead_x", { key: null }), 429, "RateLimited")
          // The routes without keys are not locked.
          expect((yield* call(gw, "GET", "/healthz", { key: null })).status).toBe(200)
        }))
    })
  })
}
