import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { CampaignId, LeadId, makeId, unsafeMakeId } from "../src/index.js"

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
})
