import { Duration, Effect, Layer, Schedule } from "effect"
import type * as Http from "node:http"

/**
 * Whether the gateway is shutting down. While it drains, every answer carries
 * `Connection: close`, so keep-alive clients go away after the request they are waiting for.
 */
export class Draining extends Effect.Service<Draining>()("leadq/gateway/Draining", {
  sync: () => ({ state: { draining: false } })
}) {}

/**
 * On shutdown (SIGTERM, or the end of the layer's scope), before anything else of the gateway
 * is torn down: stop accepting connections, let the requests in flight finish (the store is
 * still up), close connections as they fall idle, and after `graceMs` cut whatever is left.
 *
 * Without this, the platform detaches its request handler first: a keep-alive client that sends
 * one more request waits forever, and so does the server's close.
 */
export const drainOnShutdown = (server: Http.Server, graceMs: number): Layer.Layer<never, never, Draining> =>
  Layer.scopedDiscard(
    Effect.gen(function*() {
      const { state } = yield* Draining
      yield* Effect.addFinalizer(() =>
        Effect.gen(function*() {
          state.draining = true
          yield* Effect.logInfo("Shutting down: no new connections, finishing the requests in flight")
          let closed = false
          server.close(() => {
            closed = true
          })
          // Connections that finish their last request fall idle: close them as they do, until
          // none is left or the grace period is over. (A poll, not a race: finalizers are
          // uninterruptible, so a raced fiber could never be stopped.)
          const deadline = Date.now() + graceMs
          yield* Effect.sync(() => server.closeIdleConnections()).pipe(
            Effect.repeat({
              schedule: Schedule.spaced(Duration.millis(50)),
              until: () => closed || Date.now() >= deadline
            })
          )
          const drained = closed
          if (!drained) {
            yield* Effect.logWarning(`Requests still running after ${graceMs} ms; closing their connections`)
            server.closeAllConnections()
          }
        })
      )
    })
  )
