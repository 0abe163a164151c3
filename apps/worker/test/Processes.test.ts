import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { testEngines } from "@leadq/store/testing"
import { readLedgerFile } from "@leadq/telephony"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { campaignOf, dialsOf, eventually, hangUpsOf, logsOf, seed } from "./fixtures.js"
import { spawnWorker, withDatabase, workerEnv } from "./WorkerProcess.js"

/**
 * Real worker processes (`node apps/worker/dist/main.js`) against a real database, killed and
 * stopped for real. The test process seeds and reads the database through the store, and reads
 * the simulated carrier's ledger file that the workers share.
 */
const engines = await testEngines()

const exitOf = (p: Promise<{ code: number | null; signal: NodeJS.Signals | null }>) => Effect.promise(() => p)

describe("worker start-up", () => {
  it.live("a bad setting stops the start with exit code 1, naming each variable and its rule", () =>
    Effect.scoped(Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "leadq-conf-"))),
        (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
      )
      const w = yield* spawnWorker({
        DATABASE_URL: `sqlite:${path.join(dir, "x.db")}`,
        LEADQ_LEASE_MS: "soon",
        LEADQ_MAX_IN_FLIGHT: "0",
        LEADQ_DIAL_BATCH: "many",
        LEADQ_CARRIER: "http",
        LOG_LEVEL: "loud"
      })
      expect((yield* exitOf(w.exited)).code).toBe(1)
      // Logs are JSON lines when stdout is not a terminal: the message is inside, quotes escaped.
      expect(w.output()).toContain("Invalid configuration")
      expect(w.output()).toMatch(/LEADQ_LEASE_MS must be a whole number of milliseconds, at least 300, got \\?"soon/)
      expect(w.output()).toContain("LEADQ_MAX_IN_FLIGHT must be a whole number from 1 to 1000")
      expect(w.output()).toMatch(/LEADQ_DIAL_BATCH must be a whole number from 1 to 1000, got \\?"many/)
      expect(w.output()).toContain("LOG_LEVEL")
      expect(w.output()).toMatch(/LOG_LEVEL must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None.*got \\?"loud/)
      const http = yield* spawnWorker({ DATABASE_URL: `sqlite:${path.join(dir, "x.db")}`, LEADQ_CARRIER: "http" })
      expect((yield* exitOf(http.exited)).code).toBe(1)
      expect(http.output()).toContain("LEADQ_CARRIER_URL")
      expect(http.output()).not.toContain("worker starting")
      // The settings are checked before the database is opened: no file was created.
      expect(fs.existsSync(path.join(dir, "x.db"))).toBe(false)
    })))
})

for (const engine of engines) {
  describe(`worker processes on ${engine}`, () => {
    it.live("kill -9 in the middle of calls: another worker recovers every claimed lead; no attempt dialled twice, no log lost", () =>
      withDatabase(engine, ({ databaseUrl, ledger }) =>
        Effect.gen(function*() {
          const { campaign, leads, org } = yield* seed(Array.from({ length: 6 }, () => ({ sim_duration_ms: 2500 })), {
            max_concurrent_calls: 6
          })
          const a = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "worker-a" }))
          // A has placed most of its calls (they last 2.7 s): kill it without warning.
          yield* eventually(Effect.sync(() => expect(dialsOf(readLedgerFile(ledger).lines).length).toBeGreaterThanOrEqual(4)))
          a.signal("SIGKILL")
          expect((yield* exitOf(a.exited)).signal).toBe("SIGKILL")
          const heldByA = (yield* logsOf(org, campaign)).length

          const b = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "worker-b" }))
          yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")), 30_000)

          const lines = readLedgerFile(ledger).lines
          const dials = dialsOf(lines)
          const logs = yield* logsOf(org, campaign)
          // Each (lead, attempt) dialled at most once, and the lead never twice.
          const keys = dials.map((d) => `${d.lead_id}#${d.attempt}`)
          expect(new Set(keys).size).toBe(keys.length)
          expect(new Set(dials.map((d) => d.lead_id)).size).toBe(dials.length)
          // Every dial has exactly one log, written before it, and every log is settled.
          for (const d of dials) {
            const mine = logs.filter((l) => l.lead_id === d.lead_id && l.attempt === d.attempt)
            expect(mine.map((l) => l.call_id)).toEqual([d.call_id])
            expect(mine[0]!.created_at.getTime()).toBeLessThanOrEqual(Date.parse(d.at))
            // Settled with the truth the ledger holds, not written off.
            expect(mine[0]).toMatchObject({ status: "completed", duration_seconds: 2.5 })
          }
          // A log without a dial (killed between the log and the dial) is the only worker_lost.
          for (const l of logs.filter((l) => !dials.some((d) => d.call_id === l.call_id))) {
            expect(l).toMatchObject({ status: "failed", end_reason: "worker_lost" })
          }
          expect(logs.length).toBeGreaterThanOrEqual(heldByA)
          expect(logs.every((l) => l.status !== "initiated" && l.status !== "in_progress")).toBe(true)
          expect((yield* campaignOf(org, campaign)).completed_leads + (yield* campaignOf(org, campaign)).failed_leads).toBe(leads.length)
          expect(b.output()).toContain("recovered a claim of worker-a")

          // SIGTERM: the worker stops cleanly and exits 0.
          b.signal("SIGTERM")
          expect(yield* exitOf(b.exited)).toEqual({ code: 0, signal: null })
          expect(b.output()).toContain("worker stopped")
          expect(hangUpsOf(lines).every((h) => h.by !== "leadq")).toBe(true)
        })), 60_000)

    // A table one loop needs taken away under the running process (SQLite: the claim loop's
    // `campaigns`; PostgreSQL: recovery's `call_logs`, which nothing else reads while no lead is held).
    const broken = engine === "sqlite" ? { table: "campaigns", loop: "claim loop" } : { table: "call_logs", loop: "recovery" }
    it.live(`a table read by the "${broken.loop}" loop renamed under it: the process logs the loop's failure at error level and exits 1`, () =>
      withDatabase(engine, ({ databaseUrl, ledger }) =>
        Effect.gen(function*() {
          const w = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "worker-broken" }))
          yield* eventually(Effect.sync(() => expect(w.output()).toContain("worker starting")))
          const sql = yield* SqlClient.SqlClient
          yield* sql.unsafe(`ALTER TABLE ${broken.table} RENAME TO ${broken.table}_gone`)
          // The loop's store call is retried for up to 10 s (a database restart is ridden out), then the worker fails.
          const exit = yield* exitOf(w.exited).pipe(Effect.timeout("40 seconds"))
          expect(exit).toEqual({ code: 1, signal: null })
          const errors = w.output().split("\n").flatMap((line) => {
            try {
              const entry = JSON.parse(line) as { logLevel?: string; message?: unknown }
              return entry.logLevel === "ERROR" ? [String(entry.message)] : []
            } catch {
              return []
            }
          })
          expect(errors).toContain(`worker loop "${broken.loop}" failed; the worker stops`)
          expect(w.output()).toContain(`${broken.table}`)
          // It failed, but its shutdown ran first.
          expect(w.output()).toContain("worker stopped")
        })), 60_000)

    if (engine === "pg") {
      it.live("SIGSTOP past the lease, recovery by another worker, SIGCONT: the stale worker's writes do not land", () =>
        withDatabase(engine, ({ databaseUrl, ledger }) =>
          Effect.gen(function*() {
            const { campaign, leads: [lead], org } = yield* seed([{ sim_duration_ms: 5000 }], { max_concurrent_calls: 1 })
            const a = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "worker-a", extra: { LEADQ_LEASE_MS: "1000" } }))
            yield* eventually(Effect.map(logsOf(org, campaign), ([log]) => expect(log?.status).toBe("in_progress")))
            a.signal("SIGSTOP")
            const sql = yield* SqlClient.SqlClient
            const holder = sql<{ worker_id: string | null; claim_id: string | null }>`SELECT worker_id, claim_id FROM leads WHERE id = ${lead!.id}`
            const [before] = yield* holder
            expect(before!.worker_id).toBe("worker-a")

            const b = yield* spawnWorker(workerEnv({ databaseUrl, ledger, workerId: "worker-b", extra: { LEADQ_LEASE_MS: "1000" } }))
            // B takes the lead over under a new claim (a new fencing token).
            const [taken] = yield* eventually(Effect.flatMap(holder, (rows) =>
              Effect.sync(() => {
                expect(rows[0]!.worker_id).toBe("worker-b")
                return rows
              })))
            expect(taken!.claim_id).not.toBe(before!.claim_id)
            a.signal("SIGCONT")
            // A's next renewal meets the stale token: it lets go and writes nothing more.
            yield* eventually(Effect.sync(() => expect(a.output()).toContain("stale fencing token")))
            const [during] = yield* holder
            expect(during).toEqual(taken)

            yield* eventually(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")), 20_000)
            const [log, ...more] = yield* logsOf(org, campaign)
            expect(more).toEqual([])
            expect(log).toMatchObject({ status: "completed", duration_seconds: 5, attempt: 1 })
            expect(dialsOf(readLedgerFile(ledger).lines).map((d) => d.worker_id)).toEqual(["worker-a"])
            expect(b.output()).toContain("recovered a claim of worker-a")
            // A is alive and well after its stale claim: it stops cleanly.
            a.signal("SIGTERM")
            expect((yield* exitOf(a.exited)).code).toBe(0)
          })), 60_000)
    }
  })
}
