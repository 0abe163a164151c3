import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer, Ref, Stream } from "effect"
import { layerFromUrl, parseDatabaseUrl } from "../src/Database.js"
import { QueueWakeups, QueueWakeupsLive } from "../src/QueueWakeups.js"
import { freshDatabaseUrl, testEngines } from "../src/testing/index.js"

/**
 * On PostgreSQL a wake-up crosses processes (`NOTIFY leadq_due`, which every process LISTENs to):
 * a lead added through one gateway wakes the workers of another process at once. Two store
 * instances on one database stand for two processes: the listener's own in-memory nudge never
 * fires, so whatever it hears came through PostgreSQL.
 */
const engines = await testEngines()

// PostgreSQL only (SQLite has one process: its wake-ups never leave memory). Under CI=true an
// unreachable server fails `testEngines`, so this never goes unrun there.
if (engines.includes("pg")) {
  describe("queue wake-ups on pg", () => {
    it.live("a notify in one process wakes the other's subscribers", () =>
      Effect.gen(function*() {
        const url = yield* freshDatabaseUrl("pg")
        const parsed = Either.getOrThrow(parseDatabaseUrl(url))
        const aProcess = Layer.build(QueueWakeupsLive.pipe(Layer.provideMerge(layerFromUrl(parsed, { maxConnections: 3 }))))
        const listener = Context.get(yield* aProcess, QueueWakeups)
        const notifier = Context.get(yield* aProcess, QueueWakeups)
        const heard = yield* Ref.make(0)
        yield* listener.wakeups.pipe(Stream.runForEach(() => Ref.update(heard, (n) => n + 1)), Effect.forkScoped)
        // The LISTEN is set up in the background, so nudge until it is heard (a wake-up is only a
        // hint: extra ones are harmless); give up after 100.
        yield* notifier.notify.pipe(
          Effect.zipRight(Effect.sleep("100 millis")),
          Effect.zipRight(Ref.get(heard)),
          Effect.repeat({ until: (n) => n > 0, times: 100 })
        )
        expect(yield* Ref.get(heard)).toBeGreaterThan(0)
      }).pipe(Effect.scoped))
  })
}
