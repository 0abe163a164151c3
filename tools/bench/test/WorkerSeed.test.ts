import { describe, expect, it } from "@effect/vitest"
import { LeadQueue } from "@leadq/domain"
import { Effect } from "effect"
import { openBenchDatabase } from "../src/BenchDatabase.js"
import { releaseAt, releaseNow, seedQueue } from "../src/WorkerSeed.js"

/**
 * The worker benchmark's set-up does what its figures assume: seeded leads are not due until
 * released; `releaseNow` makes every one due at once; `releaseAt` makes them due one by one, at
 * the times it returns.
 */
describe("the worker benchmark's queue", () => {
  it.live("seeded leads wait; releaseNow makes them all due; releaseAt spaces them out", () =>
    Effect.promise(async () => {
      const db = await openBenchDatabase("sqlite")
      try {
        const claim = (limit: number) => db.run(Effect.flatMap(LeadQueue, (q) => q.claimDue({ worker_id: "t", limit, lease_ms: 60_000 })))
        const backlog = await db.run(seedQueue(3, 4, 2_000_000_000))
        const paced = await db.run(seedQueue(2, 3, 3_000_000_000, { id: backlog.organizationId, apiKey: backlog.apiKey }))
        expect(backlog.leadIds).toHaveLength(12)
        expect(paced.leadIds).toHaveLength(6)
        expect(await claim(100)).toHaveLength(0)

        await db.run(releaseNow(backlog.campaignIds))
        const claimed = await claim(100)
        expect(new Set(claimed.map((c) => c.lead_id))).toEqual(new Set(backlog.leadIds))

        const first = Date.now() + 60_000
        const due = await db.run(releaseAt(paced.campaignIds, paced.leadIds, first, 1_000))
        expect([...due.values()]).toEqual(paced.leadIds.map((_, i) => first + i * 1_000))
        expect(await claim(100)).toHaveLength(0)
        const next = await db.run(Effect.flatMap(LeadQueue, (q) => q.nextDueAt))
        expect(next._tag === "Some" ? next.value.getTime() : undefined).toBe(first)
      } finally {
        await db.close()
      }
    }), 60_000)
})
