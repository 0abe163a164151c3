import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { Effect } from "effect"
import type { BodyKind, RouteEntry, RouteTable } from "../RouteTable.js"
import { requestIdOf } from "./RequestId.js"

/**
 * What the pipeline knows about a request before any endpoint runs, worked out once and handed
 * to every middleware (rather than each parsing the URL or matching the route again).
 */
export interface PipelineRequest {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly method: string
  /** The URL without its query. */
  readonly pathname: string
  /** The route table's entry for the path; `undefined` when no route has it. */
  readonly entry: RouteEntry | undefined
  /** The route's pattern, or `"unmatched"`: the `route` label of the metrics and the logs. */
  readonly route: string
  /** The body the endpoint takes; `undefined` when the path does not take this method. */
  readonly body: BodyKind | undefined
  /** `x-request-id` of the answer: the client's when it sent a sane one. */
  readonly requestId: string
}

/** One step of the pipeline, down to the endpoints (which read the request from the context). */
export type Handler<E> = (
  request: PipelineRequest
) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest>

/** A named piece of the pipeline: it wraps the steps after it. */
export type Middleware<EIn, EOut = EIn> = (next: Handler<EIn>) => Handler<EOut>

export const describeRequest = (routes: RouteTable, request: HttpServerRequest.HttpServerRequest): PipelineRequest => {
  const url = request.url
  const q = url.indexOf("?")
  const pathname = q === -1 ? url : url.slice(0, q)
  const method = request.method
  const entry = routes.match(pathname)
  return {
    request,
    method,
    pathname,
    entry,
    route: entry?.pattern ?? "unmatched",
    body: entry?.methods.get(method),
    requestId: requestIdOf(request)
  }
}
