import { describe, expect, layer } from "@effect/vitest"
import type { Claim } from "@leadq/store"
import { WebhookDeliveries } from "@leadq/store"
import { testDatabaseLayer, testEngines } from "@leadq/store/testing"
import { Effect, Layer, Option } from "effect"
import { appendEvents, deliveryStatuses, insertEndpoint } from "../src/testing/index.js"
import { newOrg } from "./support.js"

/**
 * The claim on an endpoint, at the repository: one dispatcher at a time, taken over once the
 * lease has run out, and a dispatcher whose claim was taken writes nothing more (fencing).
 */
const engines = await testEngines()

for (const engine of engines) {
  layer(Layer.provideMerge(WebhookDeliveries.Default, testDatabaseLayer(engine)), { timeout: 60_000, excludeTestServices: true })(
    `webhook claims on ${engine}`,
    (it) => {
      describe("claims with leases", () => {
        it.effect("a live claim is not taken; an expired one is, and the former holder's writes are refused", () =>
          Effect.gen(function*() {
            const store = yield* WebhookDeliveries
            const org = newOrg()
            const endpoint = yield* insertEndpoint({ organization_id: org, url: "http://127.0.0.1:9/claims" })
            yield* appendEvents(org, "lead.removed", 3)
            const now = Date.now()
            yield* store.ensureDispatchRows(now)
            const mine = (claims: ReadonlyArray<Claim>) => claims.filter((c) => c.endpoint_id === endpoint.id)
            const [a] = mine(yield* store.claimDue("dispatcher-a", now, 1_000, 1_000))
            expect(a).toBeDefined()
            // While A's lease runs, B gets nothing of this endpoint.
            expect(mine(yield* store.claimDue("dispatcher-b", now + 500, 1_000, 1_000))).toEqual([])
            const target = Option.getOrThrow(yield* store.endpoint(endpoint.id))
            // On PostgreSQL an event is read once no transaction older than it is still open in the
            // whole cluster (the fan-out's gap-free rule): other suites' transactions on the same
            // server can hold that back for a moment, as they would a real dispatcher's poll.
            const read = yield* store.fanOut(a!, target).pipe(
              Effect.tap((n) => (n > 0 ? Effect.void : Effect.sleep("20 millis"))),
              Effect.repeat({ until: (n) => n > 0, times: 500 })
            )
            expect(read).toBe(3)
            const [head] = yield* store.heads(endpoint.id, 1)
            // A stalls past its lease; B takes the endpoint over.
            const [b] = mine(yield* store.claimDue("dispatcher-b", now + 1_001, 1_000, 1_000))
            expect(b).toMatchObject({ owner: "dispatcher-b", fence: a!.fence + 1 })
            // A wakes up: its renewal, its fan-out and its outcome are all refused.
            expect((yield* Effect.either(store.renew(a!, now + 1_002, 1_000)))._tag).toBe("Left")
            expect((yield* Effect.either(store.fanOut(a!, target)))._tag).toBe("Left")
            const at = now + 1_003
            expect(yield* store.recordAttempts(a!, [{ delivery_id: head!.id, outcome: { _tag: "delivered", at, status: 200 } }])).toBe(0)
            expect((yield* deliveryStatuses(endpoint.id)).map((r) => r.status)).toEqual(["pending", "pending", "pending"])
            // B's are written.
            expect(yield* store.recordAttempts(b!, [{ delivery_id: head!.id, outcome: { _tag: "delivered", at, status: 200 } }])).toBe(1)
            expect((yield* deliveryStatuses(endpoint.id)).map((r) => r.status)).toEqual(["delivered", "pending", "pending"])
            // Given back, it is due again at the time it names, to anyone.
            yield* store.release(b!, now + 5_000)
            expect(mine(yield* store.claimDue("dispatcher-a", now + 4_999, 1_000, 1_000))).toEqual([])
            expect(mine(yield* store.claimDue("dispatcher-a", now + 5_000, 1_000, 1_000))).toHaveLength(1)
          }))

        it.effect("a disabled or deleted endpoint is never claimed", () =>
          Effect.gen(function*() {
            const store = yield* WebhookDeliveries
            const org = newOrg()
            const off = yield* insertEndpoint({ organization_id: org, url: "http://127.0.0.1:9/off", enabled: false })
            const now = Date.now()
            yield* store.ensureDispatchRows(now)
            const claimed = yield* store.claimDue("dispatcher-c", now + 60_000, 1_000, 1_000)
            expect(claimed.map((c) => c.endpoint_id)).not.toContain(off.id)
          }))
      })
    }
  )
}
