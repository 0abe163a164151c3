import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { LeadqApi } from "@leadq/api"
import { WebhookDeliveries } from "@leadq/store"
import { Effect, FiberRef, Layer } from "effect"
import { createServer } from "node:http"
import { ApiReferenceLive } from "./ApiReference.js"
import { AuthenticationLive } from "./AuthenticationLive.js"
import { answerClientErrors } from "./ClientErrors.js"
import { AuthRateLimiter } from "./AuthRateLimiter.js"
import { GatewayConfig } from "./GatewayConfig.js"
import { GatewayMetrics } from "./GatewayMetrics.js"
import { Draining, drainOnShutdown } from "./GracefulShutdown.js"
import { CallLogsHandlers } from "./handlers/CallLogsHandlers.js"
import { CampaignsHandlers } from "./handlers/CampaignsHandlers.js"
import { CarrierWebhookHandlers } from "./handlers/CarrierWebhookHandlers.js"
import { LeadsHandlers } from "./handlers/LeadsHandlers.js"
import { IdempotencyPruningLive } from "./IdempotencyPruning.js"
import { LeadUpload } from "./LeadUpload.js"
import { RemovalsHandlers } from "./handlers/RemovalsHandlers.js"
import { ServiceHandlers } from "./handlers/ServiceHandlers.js"
import { SuppressionsHandlers } from "./handlers/SuppressionsHandlers.js"
import { WebhooksHandlers } from "./handlers/WebhooksHandlers.js"
import { WebhookDeliveriesHandlers } from "./handlers/WebhookDeliveriesHandlers.js"
import { SuppressionUpload } from "./SuppressionUpload.js"
import { RequestPipelineLive } from "./RequestPipeline.js"

/** The API implemented: every group's handlers and the bearer authentication. */
const ApiLive = HttpApiBuilder.api(LeadqApi).pipe(
  Layer.provide([CampaignsHandlers, LeadsHandlers, CallLogsHandlers, RemovalsHandlers, SuppressionsHandlers, WebhooksHandlers, CarrierWebhookHandlers, ServiceHandlers]),
  // Its own line: the webhook deliveries group's handlers and their repository (not in StoreLive).
  Layer.provide(WebhookDeliveriesHandlers.pipe(Layer.provide(WebhookDeliveries.Default))),
  Layer.provide([AuthenticationLive, LeadUpload.Default, SuppressionUpload.Default])
)

/** Everything that runs on the HTTP server: API, reference, pipeline. */
const ServeLive = HttpApiBuilder.serve().pipe(
  Layer.provide(ApiReferenceLive),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(RequestPipelineLive),
  Layer.provide(ApiLive),
  Layer.provide(IdempotencyPruningLive),
  Layer.provide([GatewayMetrics.Default, AuthRateLimiter.Default]),
  HttpServer.withLogAddress
)

/**
 * The gateway with its settings given: the API, `/openapi.json`, the `/docs` reference, the
 * request pipeline (request ids, envelope, limits, metrics), on a listening Node server that
 * drains gracefully on shutdown. It needs the domain's repositories and the store's `Database`
 * (provided by `StoreLive` and a database layer at the app edge). The running server
 * (`HttpServer`, with its address) is in its output.
 */
export const GatewayServerLive = Layer.unwrapEffect(
  Effect.map(GatewayConfig, (config) => {
    const server = createServer()
    answerClientErrors(server)
    // Built last, so released first: the drain runs while the handlers and the store are still up.
    // Request fibers inherit the fiber refs of the server's build: tracing off there is off for
    // every request (the platform's per-request span, with its URL parsing, included).
    const serve = config.tracing
      ? ServeLive
      : ServeLive.pipe(
        HttpMiddleware.withTracerDisabledWhen(() => true),
        Layer.locally(FiberRef.currentTracerEnabled, false)
      )
    return drainOnShutdown(server, config.shutdown_grace_ms).pipe(
      Layer.provide(serve),
      Layer.provideMerge(NodeHttpServer.layer(() => server, { port: config.port, host: config.host })),
      Layer.provideMerge(Draining.Default)
    )
  })
)

/** The gateway, its settings read from the environment (`PORT`, `HOST`, `LEADQ_*`). */
export const GatewayLive = GatewayServerLive.pipe(Layer.provide(GatewayConfig.fromEnv))
