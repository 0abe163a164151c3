import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { LeadqApi } from "@leadq/api"
import { Effect, Scope } from "effect"

/**
 * `GET /docs`: the API reference page (Scalar). The page inlines Scalar's browser bundle, 3.4 MB
 * of JavaScript held in a string by `@effect/platform/HttpApiScalar`; importing that module at
 * start-up cost every gateway about 25 MiB of resident memory for a page few ever open. So the
 * module is imported, and the page built, on the first request to `/docs` (once: later requests
 * reuse it). The reference's own router is the platform's, kept for the gateway's lifetime.
 */
export const ApiReferenceLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const page = yield* Effect.cached(
      Effect.gen(function*() {
        const [HttpApiScalar, HttpLayerRouter] = yield* Effect.promise(() =>
          Promise.all([import("@effect/platform/HttpApiScalar"), import("@effect/platform/HttpLayerRouter")])
        )
        return yield* HttpLayerRouter.toHttpEffect(HttpApiScalar.layerHttpLayerRouter({ api: LeadqApi, path: "/docs" })).pipe(
          Scope.extend(scope)
        )
      })
    )
    yield* router.get("/docs", Effect.flatMap(page, (respond) => Effect.scoped(Effect.orDie(respond))))
  })
)
