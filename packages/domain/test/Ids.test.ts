import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { CallId, CallLogId, CampaignId, EventId, LeadId, makeId, RemovalId, timePrefix, unsafeMakeId } from "../src/index.js"

describe("ids", () => {
  it.effect("are prefixed and decode as their own kind only", () =>
    Effect.gen(function*() {
      const lead = yield* makeId.lead
      expect(lead).toMatch(/^lead_[0-9a-z]{24}$/)
      expect(Schema.is(LeadId)(lead)).toBe(true)
      expect(Schema.is(CampaignId)(lead)).toBe(false)
    }))

  it("are not sequential: 10,000 ids are distinct and share no long common prefix", () => {
    const ids = Array.from({ length: 10_000 }, () => unsafeMakeId.lead())
    expect(new Set(ids).size).toBe(ids.length)
    const sorted = [...ids].sort()
    const longestShared = sorted.slice(1).reduce((max, id, i) => {
      let n = 0
      while (n < id.length && id[n] === sorted[i]![n]) n++
      return Math.max(max, n)
    }, 0)
    // "lead_" plus a handful of characters: neighbours in sort order share ~log32(10^4) ≈ 3.
    expect(longestShared).toBeLessThan("lead_".length + 8)
  })

  describe("time-ordered ids (events, call logs, calls, removal records)", () => {
    const kinds: ReadonlyArray<readonly [string, (u: unknown) => boolean, () => string]> = [
      ["evt", Schema.is(EventId), unsafeMakeId.event],
      ["log", Schema.is(CallLogId), unsafeMakeId.callLog],
      ["call", Schema.is(CallId), unsafeMakeId.call],
      ["rmv", Schema.is(RemovalId), unsafeMakeId.removal]
    ]

    it("have the shape of every id and decode as their kind", () => {
      for (const [prefix, is, make] of kinds) {
        const id = make()
        expect(id).toMatch(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{24}$`))
        expect(is(id)).toBe(true)
      }
    })

    it("sort by the millisecond they were made in, and are distinct within one", async () => {
      for (const [, , make] of kinds) {
        const first = Array.from({ length: 1_000 }, make)
        await new Promise((resolve) => setTimeout(resolve, 3))
        const later = make()
        for (const id of first) expect(id < later).toBe(true)
        expect(new Set(first).size).toBe(first.length)
      }
    })

    it("begin with the clock in base32, most significant first", () => {
      expect(timePrefix(0)).toBe("0000000000")
      expect(timePrefix(31)).toBe("000000000z")
      expect(timePrefix(32)).toBe("0000000010")
      const now = Date.parse("2026-12-07T00:00:00Z")
      expect(timePrefix(now) < timePrefix(now + 1)).toBe(true)
      expect(unsafeMakeId.event().slice(4, 14) >= timePrefix(Date.now() - 1_000)).toBe(true)
    })
  })
})
