import { describe, expect, it } from "@effect/vitest"
import { isEnvelope } from "@leadq/api"
import { freshDatabaseUrl, testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import * as http from "node:http"
import type { GatewayProcess } from "./GatewayProcess.js"
import { buildGateway, demoKeyOf, startGateway, stopGateway } from "./GatewayProcess.js"

/**
 * Two gateway processes on one PostgreSQL database enforce one brute-force limit: the failed
 * attempts counted by either add up, whichever gateway the next attempt reaches. Client
 * addresses are loopback sources (127.0.0.x) chosen per request.
 */
const engines = await testEngines()

const PER_KEY = 3
const PER_ADDRESS = 6

/** `GET /v1/campaigns` with that key, from that local address: the status and Retry-After. */
const attempt = (gw: GatewayProcess, key: string, from: string) =>
  Effect.promise(() =>
    new Promise<{ status: number; retryAfter: number | undefined }>((resolve, reject) => {
      const req = http.request(`${gw.baseUrl}/v1/campaigns`, {
        headers: { authorization: `Bearer ${key}` },
        localAddress: from
      }, (res) => {
        let body = ""
        res.on("data", (d) => (body += d))
        res.on("end", () => {
          if (res.statusCode !== 200 && !isEnvelope(JSON.parse(body))) reject(new Error(`not an envelope: ${body}`))
          const after = res.headers["retry-after"]
          resolve({ status: res.statusCode!, retryAfter: after === undefined ? undefined : Number(after) })
        })
      })
      req.on("error", reject)
      req.end()
    })
  )

const status = (gw: GatewayProcess, key: string, from: string) => Effect.map(attempt(gw, key, from), (r) => r.status)

/** The answer, asked again until it is `want` or 10 s have passed (another gateway's news takes a moment). */
const eventually = (gw: GatewayProcess, key: string, from: string, want: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    let answer = yield* status(gw, key, from)
    while (answer !== want && Date.now() < deadline) {
      yield* Effect.sleep("200 millis")
      answer = yield* status(gw, key, from)
    }
    return answer
  })

let keySeq = 0
/** A well-formed key of a key id nobody has, a different one each time. */
const unknownKey = () => `lq_${String(keySeq++).padStart(24, "x")}_${"1".repeat(32)}`
const wrongSecret = (key: string) => key.replace(/_[^_]+$/, `_${"0".repeat(32)}`)

const settings = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  LEADQ_AUTH_MAX_FAILURES_PER_KEY: String(PER_KEY),
  LEADQ_AUTH_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
  LEADQ_AUTH_FAILURE_WINDOW_MS: "120000"
})

describe("brute-force limits kept in the database", () => {
  buildGateway()

  for (const engine of engines) {
    it.live(`${engine}: a restarted gateway still refuses a locked key id`, () =>
      Effect.gen(function*() {
        const databaseUrl = yield* freshDatabaseUrl(engine)
        const first = yield* Effect.acquireRelease(startGateway(settings(databaseUrl)), stopGateway)
        const key = demoKeyOf(first)!
        for (let i = 0; i < PER_KEY; i++) expect(yield* status(first, wrongSecret(key), "127.0.0.2")).toBe(401)
        expect(yield* status(first, key, "127.0.0.3")).toBe(429)
        expect(yield* stopGateway(first)).toBe(0)
        const again = yield* Effect.acquireRelease(startGateway(settings(databaseUrl)), stopGateway)
        expect(yield* eventually(again, key, "127.0.0.3", 429)).toBe(429)
        expect(yield* status(again, wrongSecret(key), "127.0.0.3")).toBe(429)
      }).pipe(Effect.scoped), 120_000)
  }

  if (engines.includes("pg")) {
    it.live("pg: failures spread over two gateways add up; past the limit either gateway answers 429, the right key too", () =>
    Effect.gen(function*() {
      const databaseUrl = yield* freshDatabaseUrl("pg")
      const env = settings(databaseUrl)
      const a = yield* Effect.acquireRelease(startGateway(env), stopGateway)
      const key = demoKeyOf(a)!
      expect(key).toBeDefined()
      const b = yield* Effect.acquireRelease(startGateway(env), stopGateway)
      expect(yield* status(a, key, "127.0.0.5")).toBe(200)
      expect(yield* status(b, key, "127.0.0.5")).toBe(200)

      // Per client address: six failures from 127.0.0.4, alternating B, A, B, A, B, A, are all 401
      // (neither gateway saw more than three)…
      for (let i = 0; i < PER_ADDRESS; i++) expect(yield* status(i % 2 === 0 ? b : a, unknownKey(), "127.0.0.4")).toBe(401)
      // …and the seventh, on B, is refused: the count is the sum of both.
      const seventh = yield* attempt(b, unknownKey(), "127.0.0.4")
      expect(seventh.status).toBe(429)
      expect(seventh.retryAfter).toBeGreaterThanOrEqual(1)
      expect(seventh.retryAfter).toBeLessThanOrEqual(120)
      // The address is locked on both, for the right key as well; other addresses are not.
      expect(yield* status(a, key, "127.0.0.4")).toBe(429)
      expect(yield* status(b, key, "127.0.0.4")).toBe(429)
      expect(yield* status(a, key, "127.0.0.5")).toBe(200)
      expect(yield* status(b, key, "127.0.0.5")).toBe(200)

      // Per key id, spread over two addresses and both gateways: A, B, A with wrong secrets…
      expect(yield* status(a, wrongSecret(key), "127.0.0.2")).toBe(401)
      expect(yield* status(b, wrongSecret(key), "127.0.0.3")).toBe(401)
      expect(yield* status(a, wrongSecret(key), "127.0.0.2")).toBe(401)
      // …lock the key id on both gateways, from any address, even with the right secret. A saw the
      // third failure; B learns of it from the database.
      const locked = yield* attempt(a, key, "127.0.0.6")
      expect(locked.status).toBe(429)
      expect(locked.retryAfter).toBeGreaterThanOrEqual(1)
      expect(yield* eventually(b, key, "127.0.0.6", 429)).toBe(429)
      expect(yield* status(b, wrongSecret(key), "127.0.0.7")).toBe(429)
    }).pipe(Effect.scoped), 120_000)
  }
})
