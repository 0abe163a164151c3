import { describe, expect, it } from "@effect/vitest"
import { formatViolations } from "@leadq/history"
import { testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import type { CrashResult } from "../src/index.js"
import { runCrash } from "../src/index.js"

/**
 * The crash matrix, the part that fits the test suite: kill -9 of workers and of the gateway at
 * random moments under load, processes started from their built `dist/` files, then the whole
 * history checked. The seed is printed; `CHAOS_SEED=<n>` replays one. Longer runs, and the
 * PostgreSQL restart (which would break other suites' connections): `pnpm --filter @leadq/chaos
 * crash` and `pg-restart` (docs/reliability.md).
 */
const engines = await testEngines()
const seed = Number(process.env["CHAOS_SEED"] ?? Math.floor(Math.random() * 2 ** 31))

const expectClean = (name: string, r: CrashResult) => {
  console.log(`[crash] ${name} seed=${seed} ${JSON.stringify(r.stats)}\n  ${r.timeline.join("\n  ")}`)
  const report = formatViolations(r.history, r.violations)
  if (r.violations.length > 0 || r.lost.length > 0) {
    console.log(report)
    console.log(r.lost.join("\n"))
    console.log(r.output().split("\n").filter((l) => /^-----|"logLevel":"(WARN|ERROR|FATAL)"/.test(l)).slice(0, 60).join("\n"))
  }
  expect(report).toBe("0 violations")
  expect(r.lost).toEqual([])
  expect(r.stats["malformed_ledger_lines"]).toBe(0)
  // The run exercised what it claims to check.
  expect(r.stats["dials"]).toBeGreaterThan(10)
  expect(r.stats["deletes_ok"]).toBeGreaterThan(3)
}

describe("crash matrix: kill -9 under load", () => {
  if (engines.includes("pg")) {
    it.live("PostgreSQL: two workers and a gateway, each killed twice at random moments; nothing lost, 0 violations", () =>
      Effect.scoped(Effect.gen(function*() {
        const r = yield* runCrash({
          engine: "pg",
          seed,
          campaigns: 3,
          leadsPerCampaign: 20,
          opsMs: 12_000,
          clients: 3,
          workers: 2,
          faults: [{ kind: "kill-worker", times: 2 }, { kind: "kill-gateway", times: 2 }]
        })
        expectClean("pg", r)
        expect(r.stats["worker_kills"]).toBe(2)
        expect(r.stats["gateway_kills"]).toBe(2)
        expect(r.history.crashes).toHaveLength(2)
      })), 240_000)
  }

  it.live("SQLite: the one `pnpm start` process (gateway and worker) killed twice at random moments; nothing lost, 0 violations", () =>
    Effect.scoped(Effect.gen(function*() {
      const r = yield* runCrash({
        engine: "sqlite",
        seed,
        campaigns: 3,
        leadsPerCampaign: 20,
        opsMs: 10_000,
        clients: 3,
        workers: 0,
        faults: [{ kind: "kill-gateway", times: 2 }]
      })
      expectClean("sqlite", r)
      expect(r.stats["gateway_kills"]).toBe(2)
      expect(r.history.crashes).toHaveLength(2)
    })), 240_000)
})
