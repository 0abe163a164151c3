import { Schema } from "effect"

/**
 * Failures that belong to HTTP itself rather than to the domain: no such route, a method the
 * route does not take, a body too large or of the wrong type, and the generic answer to a bug.
 * They travel in the same envelope as the domain's errors and decode back into these classes.
 */

export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  message: Schema.String
}) {
  static of(method: string, path: string) {
    return new RouteNotFound({ message: `Cannot ${method} ${path}` })
  }
}

export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", {
  message: Schema.String,
  allowed: Schema.Array(Schema.String)
}) {
  static of(method: string, path: string, allowed: ReadonlyArray<string>) {
    return new MethodNotAllowed({ message: `${method} is not allowed on ${path}; use ${allowed.join(", ")}.`, allowed: [...allowed] })
  }
}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String,
  limit_bytes: Schema.Int
}) {
  static of(limitBytes: number, what = "Request body") {
    return new PayloadTooLarge({
      message: `${what} is larger than the limit of ${limitBytes} bytes.`,
      limit_bytes: limitBytes
    })
  }
}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  message: Schema.String,
  expected: Schema.Array(Schema.String)
}) {
  static of(got: string | undefined, expected: ReadonlyArray<string>) {
    return new UnsupportedMediaType({
      message: `Content-Type must be ${expected.join(" or ")}${got === undefined ? "" : `, got "${got.slice(0, 100)}"`}.`,
      expected: [...expected]
    })
  }
}

/** A bug or an outage on our side. The message is deliberately generic: details go to the log. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {
  message: Schema.String
}) {
  static readonly instance = new InternalError({ message: "Internal server error." })
}

/** The request's headers are over the server's limit (Node answers this before any route runs). */
export class HeadersTooLarge extends Schema.TaggedError<HeadersTooLarge>()("HeadersTooLarge", {
  message: Schema.String
}) {
  static readonly instance = new HeadersTooLarge({ message: "Request headers are too large." })
}

/** The request did not arrive in time (its headers or body were too slow). */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  message: Schema.String
}) {
  static readonly instance = new RequestTimeout({ message: "The request was not received in time." })
}

/**
 * The service cannot take requests now: the readiness probe found its database not answering.
 * A load balancer takes the instance out of rotation until it answers again.
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", {
  message: Schema.String
}) {
  static readonly database = new ServiceUnavailable({ message: "The database is not answering." })
}
