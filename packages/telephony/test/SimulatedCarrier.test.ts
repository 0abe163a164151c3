import { describe, expect, it } from "@effect/vitest"
import type { CallId, CampaignId, E164, LeadId, OrganizationId } from "@leadq/domain"
import { Chunk, Clock, Effect, Fiber, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { CallEvent, DialRequest } from "../src/index.js"
import { Carrier, courseOf, fileLedger, memoryLedger, planOf, readLedgerFile, SimulatedCarrierWith } from "../src/index.js"

const request = (n: number, notes: DialRequest["notes"] = {}): DialRequest => ({
  call_id: `call_${String(n).padStart(24, "0")}` as CallId,
  lead_id: `lead_${String(n).padStart(24, "0")}` as LeadId,
  campaign_id: "cmp_000000000000000000000001" as CampaignId,
  organization_id: "org_000000000000000000000001" as OrganizationId,
  attempt: 1,
  phone_number: "+14155550123" as E164,
  from_phone_number: "+14155550100" as E164,
  agent_id: "agent_1",
  name: null,
  notes,
  worker_id: "w1"
})

const lookupOf = (r: DialRequest) => ({
  call_id: r.call_id,
  lead_id: r.lead_id,
  campaign_id: r.campaign_id,
  attempt: r.attempt,
  dialled_at: new Date(0)
})

describe("call plans from notes", () => {
  const defaults = { ring_ms: 1000, duration_ms: 3000 }
  it("completed by default, with the default duration", () => {
    expect(planOf({}, defaults)).toEqual({ outcome: "completed", ring_ms: 1000, talk_ms: 3000 })
  })
  it("sim_outcome and sim_duration_ms (numbers or CSV text) decide the call", () => {
    expect(planOf({ sim_outcome: "busy", sim_duration_ms: 9000 }, defaults)).toEqual({ outcome: "busy", ring_ms: 1000, talk_ms: 0 })
    expect(planOf({ sim_outcome: " no_answer " }, defaults).outcome).toBe("no_answer")
    expect(planOf({ sim_outcome: "failed" }, defaults).outcome).toBe("failed")
    expect(planOf({ sim_duration_ms: "2500", sim_ring_ms: 0 }, defaults)).toEqual({ outcome: "completed", ring_ms: 0, talk_ms: 2500 })
  })
  it("unreadable values fall back to the defaults", () => {
    expect(planOf({ sim_outcome: "explode", sim_duration_ms: "soon", sim_ring_ms: -4 }, defaults)).toEqual({
      outcome: "completed",
      ring_ms: 1000,
      talk_ms: 3000
    })
  })
  it("the course of a call: rings, connects, ends; the others never connect", () => {
    const done = courseOf(10_000, { outcome: "completed", ring_ms: 1000, talk_ms: 3000 })
    expect(done).toMatchObject({ connected_at: 11_000, ended_at: 14_000 })
    expect(done.outcome).toMatchObject({ status: "completed", end_reason: "user_disconnected", duration_seconds: 3 })
    const busy = courseOf(10_000, { outcome: "busy", ring_ms: 1000, talk_ms: 0 })
    expect(busy).toMatchObject({ connected_at: null, ended_at: 11_000 })
    expect(busy.outcome).toMatchObject({ status: "busy", end_reason: "user_busy", duration_seconds: 0, connected_at: null })
  })
})

describe("the simulated carrier", () => {
  it.effect("a call rings, connects and ends on the clock; dial and hang-up are in the ledger", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const ledger = memoryLedger()
      const carrier = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 500, duration_ms: 2000 }, ledger))
      const placed = yield* carrier.place(request(1, { sim_duration_ms: 1500 }))
      const fiber = yield* Effect.fork(Stream.runCollect(placed.events))
      yield* TestClock.adjust(499)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1501)
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber)) as ReadonlyArray<CallEvent>
      expect(events.map((e) => e._tag)).toEqual(["Connected", "Ended"])
      expect(events[0]).toMatchObject({ at: new Date(1_000_500) })
      expect(events[1]!._tag === "Ended" && events[1]!.outcome).toMatchObject({
        status: "completed",
        duration_seconds: 1.5,
        ended_at: new Date(1_002_000)
      })
      const lines = yield* ledger.lines
      expect(lines.map((l) => l.type)).toEqual(["dial", "hangup"])
      expect(lines[0]).toMatchObject({
        at: new Date(1_000_000).toISOString(),
        call_id: request(1).call_id,
        lead_id: request(1).lead_id,
        attempt: 1,
        phone_number: "+14155550123",
        worker_id: "w1",
        plan: { outcome: "completed", ring_ms: 500, talk_ms: 1500 }
      })
      expect(lines[1]).toMatchObject({ by: "callee", at: new Date(1_002_000).toISOString(), status: "completed" })
    }))

  it.effect("follow: the same events as the stream, at the same moments, the hang-up written as the call ends", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const ledger = memoryLedger()
      const carrier = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 500, duration_ms: 2000 }, ledger))
      const seen: Array<[number, string, number]> = []
      const record = (call: number) => (event: CallEvent) => Effect.map(Clock.currentTimeMillis, (now) => void seen.push([call, event._tag, now]))
      const answered = yield* carrier.place(request(1, { sim_duration_ms: 1500 }))
      const busy = yield* carrier.place(request(2, { sim_outcome: "busy" }))
      const followers = yield* Effect.fork(Effect.all([answered.follow(record(1)), busy.follow(record(2))], { concurrency: 2 }))
      yield* TestClock.adjust(499)
      expect(seen).toEqual([])
      expect((yield* ledger.lines).filter((l) => l.type === "hangup")).toEqual([])
      yield* TestClock.adjust(1501)
      yield* Fiber.join(followers)
      expect(seen.filter(([call]) => call === 1)).toEqual([[1, "Connected", 1_000_500], [1, "Ended", 1_002_000]])
      expect(seen.filter(([call]) => call === 2)).toEqual([[2, "Ended", 1_000_500]])
      const hangUps = (yield* ledger.lines).filter((l) => l.type === "hangup")
      expect(hangUps.map((h) => [h.call_id, h.at])).toEqual([
        [request(2).call_id, new Date(1_000_500).toISOString()],
        [request(1).call_id, new Date(1_002_000).toISOString()]
      ])
      // An instant call is over as soon as it is followed, without the clock moving.
      const instant = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, ledger))
      const events: Array<CallEvent> = []
      yield* (yield* instant.place(request(3))).follow((e) => Effect.sync(() => void events.push(e)))
      expect(events.map((e) => e._tag)).toEqual(["Connected", "Ended"])
      expect(events[1]!._tag === "Ended" && events[1]!.outcome).toMatchObject({ status: "completed", duration_seconds: 0 })
      expect(instant.dial_batch).toBeGreaterThan(1)
    }))

  it.effect("lookup: unknown, still going (followed to its end), or ended with the truth, the hang-up written once", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(0)
      const ledger = memoryLedger()
      const carrier = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 100, duration_ms: 1000 }, ledger))
      expect((yield* carrier.lookup(lookupOf(request(9))))._tag).toBe("Unknown")
      // Placed, then its follower dropped (the worker died).
      yield* carrier.place(request(2, { sim_outcome: "no_answer" }))
      yield* carrier.place(request(3))
      yield* TestClock.adjust(500)
      const going = yield* carrier.lookup(lookupOf(request(3)))
      expect(going._tag).toBe("InProgress")
      const ended = yield* carrier.lookup(lookupOf(request(2)))
      expect(ended._tag === "Ended" && ended.outcome).toMatchObject({ status: "no_answer", ended_at: new Date(100) })
      yield* carrier.lookup(lookupOf(request(2)))
      const hangUps = (yield* ledger.lines).filter((l) => l.type === "hangup")
      expect(hangUps.map((h) => [h.call_id, h.by, h.at])).toEqual([[request(2).call_id, "simulation", new Date(100).toISOString()]])
      if (going._tag !== "InProgress") return
      const follow = yield* Effect.fork(Stream.runCollect(going.events))
      yield* TestClock.adjust(1000)
      const events = Chunk.toReadonlyArray(yield* Fiber.join(follow)) as ReadonlyArray<CallEvent>
      // The callee had answered before the recovery: that moment is reported as it was.
      expect(events.map((e) => e._tag)).toEqual(["Connected", "Ended"])
      expect(events[0]).toMatchObject({ at: new Date(100) })
    }))

  it.scoped("the ledger file: two writers append whole lines; a reader follows the file as it grows", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-ledger-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const file = path.join(dir, "ledger.jsonl")
      const a = yield* fileLedger(file)
      const b = yield* fileLedger(file)
      const carrierA = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, a))
      const carrierB = yield* Effect.provide(Carrier, SimulatedCarrierWith({ ring_ms: 0, duration_ms: 0 }, b))
      yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) =>
        Effect.flatMap((i % 2 === 0 ? carrierA : carrierB).place(request(i)), (p) => Stream.runDrain(p.events)), { concurrency: 8 })
      const { lines, malformed } = readLedgerFile(file)
      expect(malformed).toBe(0)
      expect(lines.filter((l) => l.type === "dial")).toHaveLength(200)
      expect(lines.filter((l) => l.type === "hangup")).toHaveLength(200)
      // B finds A's calls, including ones written after B last read the file.
      expect((yield* b.dialOf(request(0).call_id))?.worker_id).toBe("w1")
      yield* carrierA.place(request(500))
      expect(yield* b.dialOf(request(500).call_id)).toBeDefined()
      expect(yield* b.hasHangUp(request(500).call_id)).toBe(false)
      // A torn last line (a writer killed mid-write) is not read as a call.
      fs.appendFileSync(file, '{"type":"dial","at":"2026')
      expect(yield* b.dialOf("call_torn")).toBeUndefined()
      expect(readLedgerFile(file).malformed).toBe(1)
    }))
})
