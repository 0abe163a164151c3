import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import type { Draining } from "../GracefulShutdown.js"
import type { Middleware } from "./PipelineRequest.js"

/** While the gateway drains, every answer carries `Connection: close` (GracefulShutdown.ts). */
export const closeWhenDraining = (shutdown: Draining["state"]): Middleware<never> => (next) => (req) =>
  Effect.map(next(req), (response) => shutdown.draining ? HttpServerResponse.setHeader(response, "connection", "close") : response)
