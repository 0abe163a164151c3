import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import type { AuthSubject } from "@leadq/domain"
import { AuthFailures, randomToken } from "@leadq/domain"
import { Effect } from "effect"
import { testEngines } from "../src/testing/index.js"
import { storeLayer } from "./fixtures.js"

const engines = await testEngines()
const W = 60_000
const T = Date.parse("2026-06-01T12:00:00Z")

/** A subject no other test uses (the suite shares one database). */
const fresh = (kind: AuthSubject["kind"]): AuthSubject => ({ kind, id: `${kind}-${randomToken(12)}` })

for (const engine of engines) {
  layer(storeLayer(engine), { timeout: 120_000 })(`auth failure counters on ${engine}`, (it) => {
    it.effect("a window opens at the first failure, counts each one, and a failure after it ended opens a new one", () =>
      Effect.gen(function*() {
        const failures = yield* AuthFailures
        const address = fresh("address")
        const key = fresh("key")
        const first = yield* failures.record([address, key], T, W)
        expect(first).toEqual(
          expect.arrayContaining([
            { ...address, failures: 1, resets_at: T + W },
            { ...key, failures: 1, resets_at: T + W }
          ])
        )
        expect(first).toHaveLength(2)
        expect(yield* failures.record([address], T + 10, W)).toEqual([{ ...address, failures: 2, resets_at: T + W }])
        expect(yield* failures.record([address, key], T + W - 1, W)).toEqual(
          expect.arrayContaining([{ ...address, failures: 3, resets_at: T + W }, { ...key, failures: 2, resets_at: T + W }])
        )
        // The window ended at T + W: the next failure starts over, from its own time.
        expect(yield* failures.record([address], T + W, W)).toEqual([{ ...address, failures: 1, resets_at: T + 2 * W }])
        expect(yield* failures.record([], T, W)).toEqual([])
      }))

    it.effect("failures counted at once (a pool of connections on PostgreSQL) are each counted: the answers are 1..n", () =>
      Effect.gen(function*() {
        const failures = yield* AuthFailures
        const address = fresh("address")
        const n = 40
        const answers = yield* Effect.all(
          Array.from({ length: n }, (_, i) => failures.record([address, fresh("key")], T + i, W)),
          { concurrency: "unbounded" }
        )
        const counts = answers.map((ws) => ws.find((w) => w.kind === "address")!.failures).sort((a, b) => a - b)
        expect(counts).toEqual(Array.from({ length: n }, (_, i) => i + 1))
      }))

    it.effect("over the limit: only subjects at their kind's limit, in a window still open", () =>
      Effect.gen(function*() {
        const failures = yield* AuthFailures
        const [busyAddress, quietAddress, busyKey] = [fresh("address"), fresh("address"), fresh("key")]
        const start = T + 10 * W
        for (let i = 0; i < 3; i++) yield* failures.record([busyAddress, busyKey], start + i, W)
        yield* failures.record([quietAddress], start, W)
        const over = (now: number, limits: { address: number; key: number }) =>
          Effect.map(failures.overLimit(now, W, limits), (ws) => ws.map((w) => w.id).filter((id) => [busyAddress.id, quietAddress.id, busyKey.id].includes(id)).sort())
        expect(yield* over(start + 5, { address: 3, key: 4 })).toEqual([busyAddress.id])
        expect(yield* over(start + 5, { address: 4, key: 3 })).toEqual([busyKey.id])
        expect(yield* over(start + 5, { address: 1, key: 1 })).toEqual([busyAddress.id, busyKey.id, quietAddress.id].sort())
        // Their window ended: nobody is over any limit.
        expect(yield* over(start + W, { address: 1, key: 1 })).toEqual([])
      }))

    it.effect("prune deletes the windows that ended, and only those", () =>
      Effect.gen(function*() {
        const failures = yield* AuthFailures
        const sql = yield* SqlClient.SqlClient
        // Earlier than every other test's windows, so the prune below touches no one else's.
        const old = 1_000_000
        const [ended, open] = [fresh("address"), fresh("address")]
        yield* failures.record([ended], old, W)
        yield* failures.record([open], old + W / 2, W)
        expect(yield* failures.prune(old + W, W)).toBe(1)
        const left = yield* sql<{ subject: string }>`SELECT subject FROM auth_failures WHERE ${sql.in("subject", [ended.id, open.id])}`
        expect(left.map((r) => r.subject)).toEqual([open.id])
      }).pipe(Effect.orDie))
  })
}
