import { describe, expect, it } from "@effect/vitest"
import { CallingWindow, isInsideWindow, LeadRepository, RetryConfig, TimeZone } from "@leadq/domain"
import { testEngines } from "@leadq/store/testing"
import { memoryLedger, SimulatedCarrierWith } from "@leadq/telephony"
import type { Scope } from "effect"
import { Effect, Exit, Schema, TestClock } from "effect"
import type { StoreServices } from "./fixtures.js"
import { campaignOf, dialsOf, liveSleep, logsOf, seed, startWorker, storeLayer } from "./fixtures.js"

/**
 * The worker on a clock the test drives (Effect's TestClock): retry intervals of minutes and
 * calling windows across a daylight-saving change, without waiting for them. The database and
 * the worker's fibers run for real; only time is virtual, moved in steps with a real breath in
 * between so the database work of each step lands.
 */
const engines = await testEngines()
const MINUTE = 60_000

/**
 * Every wake-up of the worker costs the test clock a round of real scheduling, so in virtual time
 * the worker polls once a (virtual) minute; grace 0 because nobody moves the clock during teardown.
 */
const virtualTimings = (lease_ms: number) => ({
  lease_ms,
  poll_interval_ms: MINUTE,
  sweep_interval_ms: 5 * MINUTE,
  shutdown_grace_ms: 0
})

/**
 * Move virtual time forward in steps until `check` passes (or `maxMs` of virtual time went by).
 * The worker reacts in real time between steps, so on a loaded machine a step or two may pass
 * before it does: the bounds below allow 30 virtual minutes of that, far less than the hour that
 * tells summer time from winter time.
 */
const advanceUntil = <A, E, R>(check: Effect.Effect<A, E, R>, stepMs: number, maxMs: number) =>
  Effect.gen(function*() {
    for (let moved = 0;; moved += stepMs) {
      const exit = yield* Effect.exit(check)
      if (Exit.isSuccess(exit)) return exit.value
      if (moved > maxMs) return yield* exit
      yield* TestClock.adjust(stepMs)
      yield* liveSleep(4)
    }
  })

for (const engine of engines) {
  describe(`worker on ${engine} (virtual time)`, () => {
    const run = <A, E>(body: Effect.Effect<A, E, StoreServices | Scope.Scope>) =>
      Effect.scoped(body).pipe(Effect.provide(storeLayer(engine)))

    it.effect("retries: no_answer is re-dialled after retry_interval_minutes, at most max_retries times, then failed", () =>
      run(Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-06-01T12:00:00Z"))
        const ledger = memoryLedger()
        const { campaign, leads: [lead, final], org } = yield* seed(
          [{ sim_outcome: "no_answer" }, { sim_outcome: "failed" }],
          { max_concurrent_calls: 2, retry_config: new RetryConfig({ max_retries: 2, retry_interval_minutes: 3 }) }
        )
        yield* startWorker(SimulatedCarrierWith({ ring_ms: 20_000, duration_ms: 1_000 }, ledger), virtualTimings(10 * MINUTE))
        yield* advanceUntil(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")), 20_000, 30 * MINUTE)

        const lines = yield* ledger.lines
        const dials = dialsOf(lines).filter((d) => d.lead_id === lead!.id)
        expect(dials.map((d) => d.attempt)).toEqual([1, 2, 3])
        for (let i = 1; i < dials.length; i++) {
          // Each retry waits the interval after the previous call ended (20 s of ringing).
          const previousEnd = Date.parse(dials[i - 1]!.at) + 20_000
          const gap = Date.parse(dials[i]!.at) - previousEnd
          expect(gap).toBeGreaterThanOrEqual(3 * MINUTE)
          expect(gap).toBeLessThan(3 * MINUTE + 2 * MINUTE)
        }
        const logs = yield* logsOf(org, campaign)
        expect(logs.filter((l) => l.lead_id === lead!.id).map((l) => [l.attempt, l.status, l.end_reason])).toEqual([
          [1, "no_answer", "user_did_not_pick_up"],
          [2, "no_answer", "user_did_not_pick_up"],
          [3, "no_answer", "user_did_not_pick_up"]
        ])
        // `failed` is final: one dial, no retry.
        expect(dialsOf(lines).filter((d) => d.lead_id === final!.id)).toHaveLength(1)
        expect(logs.filter((l) => l.lead_id === final!.id).map((l) => [l.status, l.end_reason])).toEqual([["failed", "user_unreachable"]])
        const leads = yield* LeadRepository
        expect(yield* leads.get(org, lead!.id)).toMatchObject({ status: "failed", attempts: 3 })
        expect(yield* leads.get(org, final!.id)).toMatchObject({ status: "failed", attempts: 1 })
      })))

    it.effect("calling window 09:00–17:00 America/New_York across the spring-forward of 8 March 2026", () =>
      run(Effect.gen(function*() {
        // 12:00Z on 8 March is 08:00 EDT: the clocks went forward at 07:00Z. A worker that kept
        // the winter offset (UTC−5) would open the window at 14:00Z instead of 13:00Z.
        yield* TestClock.setTime(Date.parse("2026-03-08T12:00:00Z"))
        const ledger = memoryLedger()
        const window = new CallingWindow({
          start_time: "09:00",
          end_time: "17:00",
          timezone: Schema.decodeSync(TimeZone)("America/New_York")
        })
        const fourHours = 4 * 60 * MINUTE
        // Three leads in New York (the window's zone), one with its own zone: Tokyo (UTC+9, no DST).
        const { campaign, leads: [first, second, third, tokyo], org } = yield* seed(
          [{ sim_duration_ms: fourHours }, { sim_duration_ms: fourHours }, { sim_duration_ms: 1_000 }, {
            timezone: "Asia/Tokyo",
            sim_duration_ms: 1_000
          }],
          { max_concurrent_calls: 1, calling_window: window }
        )
        yield* startWorker(SimulatedCarrierWith({ ring_ms: 0, duration_ms: 1_000 }, ledger), virtualTimings(30 * MINUTE))
        const dialOf = (leadId: string) =>
          Effect.flatMap(ledger.lines, (lines) => {
            const d = dialsOf(lines).find((x) => x.lead_id === leadId)
            return d === undefined ? Effect.fail(`no dial of ${leadId} yet`) : Effect.succeed(Date.parse(d.at))
          })

        const at1 = yield* advanceUntil(dialOf(first!.id), 2 * MINUTE, 3 * 60 * MINUTE)
        expect(at1).toBeGreaterThanOrEqual(Date.parse("2026-03-08T13:00:00Z"))
        expect(at1).toBeLessThan(Date.parse("2026-03-08T13:30:00Z"))
        // The second call starts at 17:00Z (13:00 EDT) and lasts until the window closes at
        // 21:00Z (17:00 EDT).
        const at2 = yield* advanceUntil(dialOf(second!.id), 2 * MINUTE, 5 * 60 * MINUTE)
        expect(at2 - at1).toBeGreaterThanOrEqual(fourHours)
        expect(at2 - at1).toBeLessThan(fourHours + 30 * MINUTE)
        // New York is closed; 09:00 in Tokyo is 00:00Z: the Tokyo lead goes first.
        const atTokyo = yield* advanceUntil(dialOf(tokyo!.id), 4 * MINUTE, 8 * 60 * MINUTE)
        expect(atTokyo).toBeGreaterThanOrEqual(Date.parse("2026-03-09T00:00:00Z"))
        expect(atTokyo).toBeLessThan(Date.parse("2026-03-09T00:30:00Z"))
        // The third New York lead waits for 09:00 EDT the next morning.
        const at3 = yield* advanceUntil(dialOf(third!.id), 4 * MINUTE, 16 * 60 * MINUTE)
        expect(at3).toBeGreaterThanOrEqual(Date.parse("2026-03-09T13:00:00Z"))
        expect(at3).toBeLessThan(Date.parse("2026-03-09T13:30:00Z"))
        yield* advanceUntil(Effect.map(campaignOf(org, campaign), (c) => expect(c.status).toBe("completed")), 2 * MINUTE, 30 * MINUTE)
        // Every log was written inside its lead's window.
        const logs = yield* logsOf(org, campaign)
        expect(logs.map((l) => l.status)).toEqual(["completed", "completed", "completed", "completed"])
        for (const log of logs) {
          const zone = log.lead_id === tokyo!.id ? "Asia/Tokyo" : "America/New_York"
          expect(isInsideWindow(window, log.created_at.getTime(), zone)).toBe(true)
        }
      })))
  })
}
