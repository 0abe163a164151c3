import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { GroupCommit, GroupCommitLive } from "../src/GroupCommit.js"
import { testDatabaseLayer } from "../src/testing/index.js"

/**
 * SQLite's group commit: transactions submitted together share one commit; each is answered on
 * its own. With a savepoint a failure rolls back alone; without one (`savepoint: false`, for
 * transactions that can only fail before writing) a typed failure leaves the others alone, and a
 * defect after a write rolls the whole group back.
 */
const TestLayer = GroupCommitLive.pipe(Layer.provideMerge(testDatabaseLayer("sqlite")))

layer(TestLayer, { timeout: 60_000 })("group commit on sqlite", (it) => {
  /** An empty probe table, the group commit, and an insert into the table. */
  const setup = Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS gc_probe (name TEXT PRIMARY KEY)`
    yield* sql`DELETE FROM gc_probe`
    return { gc: yield* GroupCommit, insert: (name: string) => sql`INSERT INTO gc_probe (name) VALUES (${name})` }
  })
  const names = Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql<{ name: string }>`SELECT name FROM gc_probe ORDER BY name`, (rows) => rows.map((r) => r.name)))

  /** All submitted at once, so they land in one group. */
  const together = <A, E>(items: ReadonlyArray<Effect.Effect<A, E>>) => Effect.all(items.map(Effect.exit), { concurrency: "unbounded" })

  describe("savepoint: false", () => {
    it.effect("a typed failure before any write is answered alone; the group commits", () =>
      Effect.gen(function*() {
        const { gc, insert } = yield* setup
        const exits = yield* together([
          gc.transaction(insert("a"), { savepoint: false }),
          gc.transaction(Effect.fail("refused" as const), { savepoint: false }),
          gc.transaction(insert("c"))
        ])
        expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
        expect(yield* names).toEqual(["a", "c"])
      }))

    it.effect("a defect after a write rolls the whole group back, and every member is told", () =>
      Effect.gen(function*() {
        const { gc, insert } = yield* setup
        const exits = yield* together([
          gc.transaction(insert("a")),
          gc.transaction(Effect.zipRight(insert("b"), Effect.dieMessage("after a write")), { savepoint: false }),
          gc.transaction(insert("c"), { savepoint: false })
        ])
        expect(exits.map(Exit.isFailure)).toEqual([true, true, true])
        expect(yield* names).toEqual([])
        // The writer goes on: the next group commits.
        yield* gc.transaction(insert("d"), { savepoint: false })
        expect(yield* names).toEqual(["d"])
      }))
  })

  describe("with a savepoint (the default)", () => {
    it.effect("a failure after a write rolls back alone", () =>
      Effect.gen(function*() {
        const { gc, insert } = yield* setup
        const exits = yield* together([
          gc.transaction(insert("a")),
          gc.transaction(Effect.zipRight(insert("b"), Effect.fail("refused" as const))),
          gc.transaction(insert("c"), { savepoint: false })
        ])
        expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
        expect(yield* names).toEqual(["a", "c"])
      }))
  })
})
