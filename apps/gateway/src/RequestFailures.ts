import * as HttpApiError from "@effect/platform/HttpApiError"
import type { ApiFailure } from "@leadq/api"
import { isApiFailure, MAX_CSV_BYTES, PayloadTooLarge, RouteNotFound } from "@leadq/api"
import { InvalidInput, issuesOfFormatted } from "@leadq/domain"
import { Cause, Option } from "effect"

/** What a failure of the multipart parser (multipasta) means for the caller, when it is theirs. */
const multipastaFailure = (detail: unknown): ApiFailure | undefined => {
  const failure = detail as { readonly _tag?: unknown; readonly limit?: unknown } | undefined
  switch (failure?._tag) {
    case "ReachedLimit":
      return failure.limit === "MaxParts"
        ? InvalidInput.of(["body: has too many parts (send one part named file)"])
        : PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
    case "InvalidBoundary":
    case "BadHeaders":
    case "InvalidDisposition":
    case "EndNotReached":
      return InvalidInput.of(["body: is not valid multipart/form-data"])
  }
  return undefined
}

/**
 * What went wrong with a request, as the failure to answer, when it is the caller's doing or the
 * domain's: the domain's errors as they are; a request that does not decode as `InvalidInput`
 * with one line per problem; a body over the limit, not JSON, or not multipart as announced
 * (which the platform's readers raise, some as defects) as 413 or 400. `undefined` means a bug or
 * an outage: a 500.
 */
const classify = (error: unknown, bodyLimit: number): ApiFailure | undefined => {
  if (isApiFailure(error)) return error
  if (error instanceof HttpApiError.HttpApiDecodeError) {
    const issues = issuesOfFormatted(error.issues)
    return InvalidInput.of(issues.length > 0 ? issues : [error.message])
  }
  const tagged = error as { readonly _tag?: unknown; readonly reason?: unknown; readonly cause?: unknown }
  switch (tagged?._tag) {
    // The router's own miss (a path segment over its length limit, say): still just a 404.
    case "RouteNotFound": {
      const request = (tagged as { readonly request?: { readonly method?: string; readonly url?: string } }).request
      return RouteNotFound.of(request?.method ?? "GET", (request?.url ?? "/").split("?")[0]!.slice(0, 200))
    }
    case "RequestError": {
      const cause = tagged.cause as { readonly message?: unknown } | undefined
      if (cause?.message === "maxBytes exceeded") return PayloadTooLarge.of(bodyLimit)
      if (cause instanceof SyntaxError) return InvalidInput.of(["body: is not valid JSON"])
      return InvalidInput.of(["body: could not be read"])
    }
    case "MultipartError": {
      switch (tagged.reason) {
        case "FileTooLarge":
          return PayloadTooLarge.of(MAX_CSV_BYTES, "The file")
        case "FieldTooLarge":
        case "BodyTooLarge":
          return PayloadTooLarge.of(bodyLimit)
        case "TooManyParts":
          return InvalidInput.of(["body: has too many parts (send one part named file)"])
        case "Parse":
          return InvalidInput.of(["body: is not valid multipart/form-data"])
        case "InternalError":
          // The streaming parser reports its limits and a malformed body as "internal" errors.
          return multipastaFailure(tagged.cause)
      }
      return undefined
    }
  }
  // The parser's 'error' event, thrown when nothing listened to it yet.
  if ((error as { readonly code?: unknown })?.code === "ERR_UNHANDLED_ERROR") {
    return multipastaFailure((error as { readonly context?: unknown }).context)
  }
  return undefined
}

export const failureOfCause = (cause: Cause.Cause<unknown>, bodyLimit: number): ApiFailure | undefined => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return classify(failure.value, bodyLimit)
  const defect = Cause.dieOption(cause)
  // Body readers of the platform die rather than fail on a malformed body: still the caller's doing.
  if (Option.isSome(defect)) return classify(defect.value, bodyLimit)
  return undefined
}

