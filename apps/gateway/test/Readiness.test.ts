import { describe, expect, it } from "@effect/vitest"
import { pgAdminStatements as admin } from "@leadq/store/testing"
import { Effect } from "effect"
import { startTestGateway, testEngines } from "../src/testing/index.js"
import { call, expectFailure, expectStatus } from "./support.js"

const engines = await testEngines()

describe("readiness", () => {
  for (const engine of engines) {
    it.scopedLive(`${engine}: /readyz answers ready when the database answers; /openapi.json declares it with its 503`, () =>
      Effect.gen(function*() {
        const gw = yield* startTestGateway(engine)
        expect(expectStatus(yield* call(gw, "GET", "/readyz", { key: null }), 200)).toEqual({ status: "ready" })
        const spec = expectStatus(yield* call(gw, "GET", "/openapi.json", { key: null }), 200)
        const responses = spec.paths["/readyz"].get.responses
        expect(Object.keys(responses)).toEqual(expect.arrayContaining(["200", "503"]))
        expect(JSON.stringify(responses["503"])).toContain("#/components/schemas/ServiceUnavailable")
      }), { timeout: 60_000 })
  }

  if (engines.includes("pg")) {
    it.scopedLive("pg: with its database refusing connections /readyz is 503 in the envelope while /healthz stays 200; ready again once it is back", () =>
      Effect.gen(function*() {
        const gw = yield* startTestGateway("pg")
        const database = new URL(gw.databaseUrl).pathname.slice(1)
        expectStatus(yield* call(gw, "GET", "/readyz", { key: null }), 200)

        // The database goes away under the running gateway: new connections refused, open ones cut.
        yield* admin(
          `ALTER DATABASE ${database} ALLOW_CONNECTIONS false`,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`
        )
        const down = yield* call(gw, "GET", "/readyz", { key: null })
        const error = expectFailure(down, 503, "ServiceUnavailable")
        expect(error).toMatchObject({ statusCode: 503, error: "Service Unavailable", message: "The database is not answering." })
        expect(expectStatus(yield* call(gw, "GET", "/healthz", { key: null }), 200)).toMatchObject({ ok: true, engine: "pg" })

        yield* admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
        expect(expectStatus(yield* call(gw, "GET", "/readyz", { key: null }), 200)).toEqual({ status: "ready" })
      }), { timeout: 60_000 })

    it.scopedLive("pg: with its database dropped /readyz is 503 and /healthz 200", () =>
      Effect.gen(function*() {
        const gw = yield* startTestGateway("pg")
        const database = new URL(gw.databaseUrl).pathname.slice(1)
        expectStatus(yield* call(gw, "GET", "/readyz", { key: null }), 200)
        yield* admin(`DROP DATABASE ${database} WITH (FORCE)`)
        expectFailure(yield* call(gw, "GET", "/readyz", { key: null }), 503, "ServiceUnavailable")
        expectStatus(yield* call(gw, "GET", "/healthz", { key: null }), 200)
        // A request without a key is still the caller's mistake (its failure cannot be counted now).
        expectFailure(yield* call(gw, "GET", "/v1/campaigns", { key: null }), 401, "Unauthorized")
      }), { timeout: 60_000 })
  }
})
