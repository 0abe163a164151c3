import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import type { Caller } from "@leadq/domain"
import { Context, Schema } from "effect"
import { RateLimitedError, UnauthorizedError } from "./Envelope.js"

/** The organization and API key a request acts for, resolved from its bearer key. */
export class CurrentCaller extends Context.Tag("leadq/api/CurrentCaller")<CurrentCaller, Caller>() {}

/**
 * `Authorization: Bearer <api key>` on every `/v1` route except the carrier webhook. The
 * implementation (in the gateway) must refuse an empty token itself: the platform hands a
 * missing header over as `""`. Repeated failures from one address or on one key id are slowed
 * down with `RateLimited`.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("leadq/api/Authentication", {
  failure: Schema.Union(UnauthorizedError, RateLimitedError),
  provides: CurrentCaller,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(HttpApiSecurity.annotate(
      OpenApi.Description,
      "An API key, `lq_<key id>_<secret>`: printed on first start, or from `leadq keys create --org NAME`."
    ))
  }
}) {}
