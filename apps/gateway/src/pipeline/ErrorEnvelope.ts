import { failureResponse, InternalError } from "@leadq/api"
import { Cause, Effect } from "effect"
import { failureOfCause } from "../RequestFailures.js"
import type { BodyLimits } from "./BodyLimits.js"
import { bodyLimitFor } from "./BodyLimits.js"
import type { Middleware } from "./PipelineRequest.js"

/**
 * Every failure, whatever raised it (a domain error, a body that does not decode, a malformed
 * JSON or multipart body, a defect), answered in the error envelope (RequestFailures.ts says
 * which is which). A defect is logged with its cause and the request's id and answered with a
 * generic 500, never a stack; an interruption stays one.
 */
export const answerInEnvelope = (limits: BodyLimits): Middleware<unknown, never> => (next) => (req) =>
  Effect.catchAllCause(next(req), (cause) => {
    const failure = failureOfCause(cause, bodyLimitFor(limits, req.body))
    if (failure !== undefined) return Effect.succeed(failureResponse(failure))
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    return Effect.as(
      Effect.logError("Request failed", cause).pipe(
        Effect.annotateLogs({ request_id: req.requestId, route: req.route, method: req.method, url: req.pathname })
      ),
      failureResponse(InternalError.instance)
    )
  })
