import { QueueWakeups } from "@leadq/store"
import { Duration, Effect, Queue, Stream } from "effect"

/**
 * What wakes the claim loop before its poll interval: the store's queue wake-ups (a lead added,
 * a claim given back, a campaign resumed — in-process, or PostgreSQL NOTIFY), calls of its own
 * recorded (slots freed), dials cancelled. One nudge waiting is enough: they only mean "look now".
 */
export class Nudges extends Effect.Service<Nudges>()("leadq/worker/Nudges", {
  effect: Effect.gen(function*() {
    const wakeups = yield* QueueWakeups
    const nudges = yield* Queue.sliding<void>(1)
    const nudge = Effect.asVoid(Queue.offer(nudges, undefined))
    return {
      nudge,
      /** Sleep `ms`, or less if nudged meanwhile. */
      wait: Effect.fn("leadq/worker/Nudges.wait")(function*(ms: number) {
        yield* Effect.ignore(Effect.timeout(Queue.take(nudges), Duration.millis(ms)))
      }),
      /** The loop that turns the store's queue wake-ups into nudges. */
      forwardWakeups: Effect.fn("leadq/worker/Nudges.forwardWakeups")(function*() {
        yield* Stream.runForEach(wakeups.wakeups, () => nudge)
      })
    }
  })
}) {}
