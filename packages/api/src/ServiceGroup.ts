import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"
import { ServiceUnavailableError } from "./Envelope.js"
import { Health, Readiness } from "./Responses.js"

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export class ServiceGroup extends HttpApiGroup.make("service")
  .add(
    HttpApiEndpoint.get("health", "/healthz")
      .addSuccess(Health)
      .annotate(OpenApi.Summary, "Liveness, and the database engine in use (the database is not touched)")
  )
  .add(
    HttpApiEndpoint.get("ready", "/readyz")
      .addSuccess(Readiness)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "Readiness: 200 when the database answers a trivial query in time, else 503")
  )
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: PROMETHEUS_CONTENT_TYPE })))
      .annotate(OpenApi.Summary, "Prometheus metrics: requests by route and status, latency, removals by prior state")
  )
  .annotate(OpenApi.Title, "Service")
{}
