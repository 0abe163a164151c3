import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpApp from "@effect/platform/HttpApp"
import { LeadqApi } from "@leadq/api"
import { ApiKeyRepository, IdempotencyKeys } from "@leadq/domain"
import { Effect, Layer, pipe } from "effect"
import { GatewayConfig } from "./GatewayConfig.js"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { Draining } from "./GracefulShutdown.js"
import { bodyLimitsOf, checkBodyHeaders } from "./pipeline/BodyLimits.js"
import { closeWhenDraining } from "./pipeline/CloseWhenDraining.js"
import { answerInEnvelope } from "./pipeline/ErrorEnvelope.js"
import { keepIdempotent } from "./pipeline/Idempotency.js"
import { checkJsonBody } from "./pipeline/JsonBodyChecks.js"
import { describeRequest } from "./pipeline/PipelineRequest.js"
import { recordRequestMetrics } from "./pipeline/RequestMetrics.js"
import { tagRequestId } from "./pipeline/RequestId.js"
import { refuseUnknownRoutes } from "./pipeline/RouteCheck.js"
import { makeRouteTable } from "./RouteTable.js"

/** The webhook reads its body raw (the signature covers the exact bytes), but it is JSON. */
export const WEBHOOK_PATH = "/v1/carrier/webhooks/call-ended"

/**
 * The part of a request's handling that no endpoint should repeat, composed here from the
 * middleware in `pipeline/` (one file each). The request is described once (path, route, body
 * kind, request id: PipelineRequest.ts), then, from the outside in:
 *
 * - the request metrics (RequestMetrics.ts);
 * - `Connection: close` while the gateway drains (CloseWhenDraining.ts);
 * - a request id on every response (RequestId.ts);
 * - every failure answered in the error envelope, a defect as a logged 500 (ErrorEnvelope.ts);
 * - 404 for an unknown path, 405 (with `Allow`) for a known path with another method (RouteCheck.ts);
 * - 415 for a body of the wrong Content-Type, 413 for one announced over the limit (BodyLimits.ts);
 * - a JSON body read and checked before the endpoint decodes it (JsonBodyChecks.ts);
 * - a POST with an `Idempotency-Key` run once, its answer replayed to repeats (Idempotency.ts);
 * - then the router and its endpoints.
 */
export const RequestPipelineLive: Layer.Layer<
  never,
  never,
  GatewayConfig | GatewayMetrics | Draining | ApiKeyRepository | IdempotencyKeys
> = HttpApiBuilder
  .middleware(
    Effect.gen(function*() {
      const config = yield* GatewayConfig
      const metrics = yield* GatewayMetrics
      const { state: shutdown } = yield* Draining
      const routes = makeRouteTable(
        LeadqApi,
        [{ method: "GET", path: "/openapi.json" }, { method: "GET", path: "/docs" }],
        new Set([`POST ${WEBHOOK_PATH}`])
      )
      const limits = bodyLimitsOf(config)
      const idempotent = keepIdempotent({ apiKeys: yield* ApiKeyRepository, keys: yield* IdempotencyKeys, limits })

      return (app: HttpApp.Default): HttpApp.Default => {
        const handle = pipe(
          () => app,
          idempotent,
          checkJsonBody(limits),
          checkBodyHeaders(limits),
          refuseUnknownRoutes,
          answerInEnvelope(limits),
          tagRequestId,
          closeWhenDraining(shutdown),
          recordRequestMetrics(metrics)
        )
        return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => handle(describeRequest(routes, request)))
      }
    })
  )
