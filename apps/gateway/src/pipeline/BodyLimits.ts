import type { ApiFailure } from "@leadq/api"
import { failureResponse, MAX_CSV_BYTES, PayloadTooLarge, UnsupportedMediaType } from "@leadq/api"
import { Effect } from "effect"
import type { GatewaySettings } from "../GatewayConfig.js"
import type { BodyKind } from "../RouteTable.js"
import type { Middleware } from "./PipelineRequest.js"

/** Multipart framing around the file: boundaries and part headers. */
const MULTIPART_OVERHEAD = 64 * 1024

/** How large a body may be, by what the endpoint takes. */
export interface BodyLimits {
  /** The largest JSON body (`LEADQ_MAX_JSON_BODY_BYTES`). */
  readonly json: number
  /** The largest multipart upload: the CSV file and its framing. */
  readonly upload: number
  /** A JSON body over the limit is still read and dropped up to this much before the 413 (see JsonBody.ts). */
  readonly drain: number
}

export const bodyLimitsOf = (settings: GatewaySettings): BodyLimits => ({
  json: settings.max_json_body_bytes,
  upload: MAX_CSV_BYTES + MULTIPART_OVERHEAD,
  drain: Math.max(4 * settings.max_json_body_bytes, 16 * 1024 * 1024)
})

/** The limit a request's body is held to (the 413 names it). */
export const bodyLimitFor = (limits: BodyLimits, kind: BodyKind | undefined): number =>
  kind === "multipart" ? limits.upload : limits.json

export const hasBody = (headers: Record<string, string | undefined>) =>
  (headers["content-length"] !== undefined && headers["content-length"] !== "0") || headers["transfer-encoding"] !== undefined

const mediaTypeOf = (contentType: string | undefined) =>
  contentType === undefined ? undefined : contentType.split(";")[0]!.trim().toLowerCase()

const refusal = (limits: BodyLimits, kind: BodyKind, headers: Record<string, string | undefined>): ApiFailure | undefined => {
  if (kind === "none") return undefined
  const media = mediaTypeOf(headers["content-type"])
  const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"])
  if (kind === "multipart") {
    if (media !== "multipart/form-data") return UnsupportedMediaType.of(headers["content-type"], ["multipart/form-data"])
    if (length !== undefined && length > limits.upload) return PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
    return undefined
  }
  // No Content-Type at all is taken as JSON (what curl -X and many clients send with a JSON body).
  // Only application/json itself: the platform would not parse a `+json` type as JSON, and
  // would wait for a body this pipeline has already read (the request hung). Checked even
  // without a body: the platform picks its body parser by the Content-Type alone, and a
  // multipart parser waiting on an empty body never answered.
  if (media !== undefined && media !== "application/json") {
    return UnsupportedMediaType.of(headers["content-type"], ["application/json"])
  }
  if (!hasBody(headers)) return undefined
  if (length !== undefined && length > limits.json) return PayloadTooLarge.of(limits.json)
  return undefined
}

/** 415 for a body of the wrong Content-Type and 413 for one announced over the limit, before it is read. */
export const checkBodyHeaders = (limits: BodyLimits): Middleware<unknown> => (next) => (req) => {
  const failure = req.body === undefined ? undefined : refusal(limits, req.body, req.request.headers)
  return failure === undefined ? next(req) : Effect.succeed(failureResponse(failure))
}
