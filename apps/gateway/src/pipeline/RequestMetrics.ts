import { Effect } from "effect"
import type { GatewayMetrics } from "../GatewayMetrics.js"
import type { Middleware } from "./PipelineRequest.js"

/** Every answer counted and timed by route pattern, method and status (`GET /metrics`). */
export const recordRequestMetrics = (metrics: GatewayMetrics): Middleware<never> => (next) => (req) => {
  const started = performance.now()
  return Effect.map(next(req), (response) => {
    metrics.observeRequest(req.route, req.method, response.status, (performance.now() - started) / 1000)
    return response
  })
}
