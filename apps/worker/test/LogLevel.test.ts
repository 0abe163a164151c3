import { describe, expect, it } from "@effect/vitest"
import { readLedgerFile } from "@leadq/telephony"
import { Effect } from "effect"
import { dialsOf, eventually, seed } from "./fixtures.js"
import { spawnWorker, withDatabase, workerEnv } from "./WorkerProcess.js"

/**
 * `LOG_LEVEL` as the README documents it (issue 14: `Warning` and `None` stopped the start). A
 * real worker process per level: it starts, dials the lead that is due (the simulated carrier's
 * ledger shows it), logs only at that level and above, and stops on SIGTERM with exit code 0.
 * Every documented name, and Effect's labels, are covered by `@leadq/runtime`'s own tests; a wrong
 * one is refused by the start-up test in Processes.test.ts.
 */
const LEVELS = [
  { level: "Warning", infoLines: false, anyLines: false },
  { level: "None", infoLines: false, anyLines: false },
  { level: "warn", infoLines: false, anyLines: false },
  { level: "debug", infoLines: true, anyLines: true },
  { level: "INFO", infoLines: true, anyLines: true }
] as const

describe("worker LOG_LEVEL", () => {
  for (const { anyLines, infoLines, level } of LEVELS) {
    it.live(`LOG_LEVEL=${level}: the worker starts, dials, logs at that level and stops cleanly`, () =>
      withDatabase("sqlite", ({ databaseUrl, ledger }) =>
        Effect.gen(function*() {
          const { leads: [lead] } = yield* seed([{ sim_duration_ms: 0 }])
          const w = yield* spawnWorker({ ...workerEnv({ databaseUrl, ledger, workerId: `w-${level}` }), LOG_LEVEL: level })
          yield* eventually(Effect.sync(() => expect(dialsOf(readLedgerFile(ledger).lines).map((d) => d.lead_id)).toEqual([lead!.id])))
          w.signal("SIGTERM")
          expect(yield* Effect.promise(() => w.exited)).toEqual({ code: 0, signal: null })
          const logLines = w.output().split("\n").filter((l) => l.startsWith("{"))
          expect(w.output()).not.toContain("Invalid configuration")
          expect(w.output().includes("worker starting")).toBe(infoLines)
          expect(logLines.length > 0).toBe(anyLines)
          if (level === "debug") expect(logLines.some((l) => JSON.parse(l).logLevel === "DEBUG")).toBe(true)
        })), 60_000)
  }
})
