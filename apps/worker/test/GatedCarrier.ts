import type { DialRequest } from "@leadq/telephony"
import { Carrier } from "@leadq/telephony"
import { Deferred, Effect, Layer } from "effect"

/**
 * A carrier stand-in at the carrier boundary (the only place tests fake anything): the first
 * placement waits at a gate the test opens, so a test can hold the dialer still while other
 * claims wait behind it. Everything else is the real carrier underneath.
 */
export const makeGate = Effect.gen(function*() {
  const open = yield* Deferred.make<void>()
  const reached = yield* Deferred.make<DialRequest>()
  let first = true
  /**
   * `dialBatch` 1 (the default) is a carrier that places one dial per transaction, like the HTTP
   * carrier: the claims behind the held placement stay claimed and not dialled.
   */
  const layer = (inner: Layer.Layer<Carrier>, dialBatch = 1) =>
    Layer.effect(
      Carrier,
      Effect.map(Carrier, (carrier) =>
        Carrier.of({
          ...carrier,
          dial_batch: dialBatch,
          place: (request) =>
            Effect.gen(function*() {
              if (first) {
                first = false
                yield* Deferred.succeed(reached, request)
                yield* Deferred.await(open)
              }
              return yield* carrier.place(request)
            })
        }))
    ).pipe(Layer.provide(inner))
  return { layer, open: Deferred.succeed(open, undefined), reached: Deferred.await(reached) }
})
