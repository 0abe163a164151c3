import { describe, expect, it } from "@effect/vitest"
import { testEngines } from "@leadq/store/testing"
import { Effect } from "effect"
import * as fs from "node:fs"
import type { RaceOptions, RaceResult } from "../src/index.js"
import { checkHistory, formatViolations, runRace, suppressionWindows } from "../src/index.js"

/**
 * The randomized race of issue 4, through the gateway over HTTP, checked with the history checker.
 * The seed is printed; `RACE_SEED=<n>` replays one. Longer runs: `pnpm --filter @leadq/history race`.
 */
const engines = await testEngines()
const seed = Number(process.env["RACE_SEED"] ?? Math.floor(Math.random() * 2 ** 31))

const report = (name: string, r: RaceResult) => {
  console.log(`[race] ${name} seed=${seed} ${JSON.stringify(r.stats)}`)
  if (r.violations.length > 0 || r.counterMismatches.length > 0) {
    console.log(formatViolations(r.history, r.violations))
    console.log(r.counterMismatches.join("\n"))
    console.log(r.workerOutput.split("\n").filter((l) => /^-----|"logLevel":"(WARN|ERROR)"|level=(WARN|ERROR)/.test(l)).slice(0, 80).join("\n"))
    if (process.env["RACE_DUMP"]) fs.writeFileSync(process.env["RACE_DUMP"], r.workerOutput)
  }
}

const expectClean = (r: RaceResult) => {
  expect(formatViolations(r.history, r.violations)).toBe("0 violations")
  expect(r.counterMismatches).toEqual([])
  // The run did exercise what it checks.
  expect(r.stats["dials"]).toBeGreaterThan(10)
  expect(r.stats["deletes_ok"]).toBeGreaterThan(5)
  expect(r.stats["pauses_ok"]).toBeGreaterThan(0)
  expect(r.stats["malformed_ledger_lines"]).toBe(0)
  expect(r.stats["suppressions_ok"]! + r.stats["deletes_suppress_ok"]! + r.stats["bulk_suppress_ok"]!).toBeGreaterThan(0)
  expectCheckerBites(r)
}

const base: Omit<RaceOptions, "engine" | "workers"> = { seed, campaigns: 3, leadsPerCampaign: 25, opsMs: 6_000, clients: 3 }

/** The real history has what the checks need: breaking it in one place is caught. */
const expectCheckerBites = (r: RaceResult) => {
  const final = r.history.snapshots[r.history.snapshots.length - 1]!
  const firstDial = r.history.ledger.find((l) => l.type === "dial")!
  const lostLog = {
    ...r.history,
    snapshots: [...r.history.snapshots.slice(0, -1), { ...final, call_logs: final.call_logs.filter((l) => l.call_id !== firstDial.call_id) }]
  }
  expect(checkHistory(lostLog).map((v) => v.check)).toContain(3)
  // A lead whose removal was a single DELETE answered 200 (check 1 judges those; a removal by a
  // bulk request or by the worker's re-check of a suppressed number is another check's matter).
  const deleted = new Set(r.history.operations.filter((op) => op.kind === "delete" && op.outcome === "ok").map((op) => op.target))
  const removed = final.removals.find((x) => x.removed_from === "pending" && deleted.has(x.lead_id))!
  const lateDial = { ...firstDial, call_id: "call_forged", lead_id: removed.lead_id, campaign_id: removed.campaign_id, attempt: removed.attempt + 1, at: new Date(removed.removed_at + 1).toISOString() }
  expect(checkHistory({ ...r.history, ledger: [...r.history.ledger, lateDial] }).map((v) => v.check)).toContain(1)
  // A dial of a suppressed number, in a campaign of the organization, 1 ms into the suppression.
  const held = suppressionWindows(r.history.operations).find((w) => w.until > w.from + 1)!
  const suppressedDial = { ...firstDial, call_id: "call_forged_9", phone_number: held.phone, at: new Date(held.from + 1).toISOString() }
  expect(checkHistory({ ...r.history, ledger: [...r.history.ledger, suppressedDial] }).map((v) => v.check)).toContain(9)
}

describe("the randomized race over HTTP", () => {
  if (engines.includes("pg")) {
    it.live("PostgreSQL: three worker processes, one killed with SIGKILL midway; 0 violations", () =>
      Effect.scoped(Effect.gen(function*() {
        const r = yield* runRace({ ...base, engine: "pg", workers: { mode: "processes", count: 3, killOne: true } })
        report("pg", r)
        expectClean(r)
        expect(r.history.crashes).toHaveLength(1)
      })), 180_000)
  }

  it.live("SQLite: gateway and worker in one process (as `pnpm start`); 0 violations", () =>
    Effect.scoped(Effect.gen(function*() {
      const r = yield* runRace({ ...base, engine: "sqlite", workers: { mode: "in-process" } })
      report("sqlite", r)
      expectClean(r)
    })), 180_000)
})
