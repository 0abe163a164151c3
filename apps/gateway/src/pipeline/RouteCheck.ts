import { failureResponse, MethodNotAllowed, RouteNotFound } from "@leadq/api"
import { Effect } from "effect"
import type { Middleware } from "./PipelineRequest.js"

/**
 * 404 for a path no route has, and 405 (with `Allow`) for a known path with another method,
 * before the router runs.
 */
export const refuseUnknownRoutes: Middleware<unknown> = (next) => (req) =>
  req.entry === undefined
    ? Effect.succeed(failureResponse(RouteNotFound.of(req.method, req.pathname)))
    : req.body === undefined
    ? Effect.succeed(failureResponse(MethodNotAllowed.of(req.method, req.pathname, [...req.entry.methods.keys()])))
    : next(req)
