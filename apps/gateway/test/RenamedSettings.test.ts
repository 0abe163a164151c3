import { describe, expect, it } from "@effect/vitest"
import { freshDatabaseUrl } from "@leadq/store/testing"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as http from "node:http"
import type { GatewayProcess } from "./GatewayProcess.js"
import { buildGateway, demoKeyOf, GATEWAY_MAIN, startGateway } from "./GatewayProcess.js"

/**
 * Issue 10: durations are configured in milliseconds under `_MS` names. The gateway's former
 * `_SECONDS` names still work (operators have them in unit files), read in seconds, with a
 * warning naming the variable that replaces each; both names of one setting refuse the start.
 * Each case is the built gateway process; the values are seen in what it does with them: the
 * `Retry-After` of a locked key id (the failure window) and the grace its shutdown gives a
 * request that never finishes.
 */

const PER_KEY = 2

/** A wrong secret on the demo key's id, from 127.0.0.2: the Retry-After once locked (else undefined). */
const wrongAttempt = (gw: GatewayProcess, key: string) =>
  Effect.promise(() =>
    new Promise<{ status: number; retryAfter: number | undefined }>((resolve, reject) => {
      const wrong = key.replace(/_[^_]+$/, `_${"0".repeat(32)}`)
      const req = http.request(`${gw.baseUrl}/v1/campaigns`, { headers: { authorization: `Bearer ${wrong}` }, localAddress: "127.0.0.2" }, (res) => {
        res.resume()
        res.on("end", () => {
          const after = res.headers["retry-after"]
          resolve({ status: res.statusCode!, retryAfter: after === undefined ? undefined : Number(after) })
        })
      })
      req.on("error", reject)
      req.end()
    })
  )

/** Locks the demo key's id and returns the Retry-After of the attempt past the limit. */
const lockedFor = (gw: GatewayProcess) =>
  Effect.gen(function*() {
    const key = demoKeyOf(gw)!
    for (let i = 0; i < PER_KEY; i++) expect((yield* wrongAttempt(gw, key)).status).toBe(401)
    const locked = yield* wrongAttempt(gw, key)
    expect(locked.status).toBe(429)
    return locked.retryAfter!
  })

/** SIGTERM while a request's body is still coming (it never completes): the exit code. */
const stopDuringStuckRequest = (gw: GatewayProcess) =>
  Effect.promise(() =>
    new Promise<number | null>((resolve) => {
      const req = http.request(`${gw.baseUrl}/v1/campaigns`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "1000" }
      })
      req.on("error", () => {})
      req.write("{")
      setTimeout(() => {
        gw.child.kill("SIGTERM")
        void gw.exited.then(resolve)
      }, 300)
    })
  )

const warningLines = (gw: GatewayProcess) => gw.stdout().split("\n").filter((l) => l.includes("is deprecated"))

describe("duration settings in ms, and their former names (built gateway process)", () => {
  buildGateway()

  const cases = [
    {
      title: "the _MS names: used as milliseconds, no warning",
      env: { LEADQ_AUTH_FAILURE_WINDOW_MS: "90000", LEADQ_SHUTDOWN_GRACE_MS: "700" },
      window: 90,
      graceMs: 700,
      warnings: []
    },
    {
      title: "the former _SECONDS names: used as seconds, one warning each naming its replacement",
      env: { LEADQ_AUTH_FAILURE_WINDOW_SECONDS: "120", LEADQ_SHUTDOWN_GRACE_SECONDS: "1" },
      window: 120,
      graceMs: 1000,
      warnings: [
        "LEADQ_AUTH_FAILURE_WINDOW_SECONDS is deprecated: set LEADQ_AUTH_FAILURE_WINDOW_MS=120000 instead",
        "LEADQ_SHUTDOWN_GRACE_SECONDS is deprecated: set LEADQ_SHUTDOWN_GRACE_MS=1000 instead"
      ]
    }
  ]
  for (const c of cases) {
    it.live(c.title, () =>
      Effect.gen(function*() {
        const databaseUrl = yield* freshDatabaseUrl("sqlite")
        const gw = yield* Effect.acquireRelease(
          startGateway({ DATABASE_URL: databaseUrl, LEADQ_AUTH_MAX_FAILURES_PER_KEY: String(PER_KEY), ...c.env }),
          // Stopped by the test; killed here only if an expectation failed first.
          (running) => Effect.sync(() => running.child.kill("SIGKILL"))
        )
        const lines = warningLines(gw)
        expect(lines).toHaveLength(c.warnings.length)
        c.warnings.forEach((w, i) => expect(lines[i]).toContain(w))
        // Said with the settings' check, before the database is opened (a fresh one: migrated).
        for (const line of lines) expect(gw.stdout().indexOf(line)).toBeLessThan(gw.stdout().indexOf("database migrated"))
        // The window opened a moment ago: what is left of it is its length, in whole seconds.
        const retryAfter = yield* lockedFor(gw)
        expect(retryAfter).toBeLessThanOrEqual(c.window)
        expect(retryAfter).toBeGreaterThan(c.window - 30)
        expect(yield* stopDuringStuckRequest(gw)).toBe(0)
        expect(gw.stdout()).toContain(`Requests still running after ${c.graceMs} ms`)
      }).pipe(Effect.scoped), 60_000)
  }

  for (const [setting, formerly, env] of [
    ["LEADQ_SHUTDOWN_GRACE_MS", "LEADQ_SHUTDOWN_GRACE_SECONDS", { LEADQ_SHUTDOWN_GRACE_MS: "5000", LEADQ_SHUTDOWN_GRACE_SECONDS: "5" }],
    ["LEADQ_AUTH_FAILURE_WINDOW_MS", "LEADQ_AUTH_FAILURE_WINDOW_SECONDS", { LEADQ_AUTH_FAILURE_WINDOW_MS: "60000", LEADQ_AUTH_FAILURE_WINDOW_SECONDS: "60" }]
  ] as const) {
    it.live(`refuses to start with both ${setting} and ${formerly} set, naming both`, () =>
      Effect.gen(function*() {
        const child = spawn(process.execPath, [GATEWAY_MAIN], {
          env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "sqlite::memory:", ...env },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let out = ""
        child.stdout.on("data", (d) => (out += d))
        child.stderr.on("data", (d) => (out += d))
        const code = yield* Effect.promise(() => new Promise<number | null>((done) => child.once("exit", done)))
        expect(code).toBe(1)
        expect(out).toContain("Invalid configuration")
        expect(out).toContain(`Invalid data at ${setting}`)
        expect(out).toContain(`${setting} and ${formerly} are both set: ${setting} replaces ${formerly}, keep only ${setting}`)
        expect(out).not.toContain("Listening")
      }), 60_000)
  }
})
