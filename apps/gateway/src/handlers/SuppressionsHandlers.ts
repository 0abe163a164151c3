import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { Suppression, suppressionDraftOf, SuppressionRepository } from "@leadq/domain"
import { Clock, Effect, Schema } from "effect"
import { SuppressionUpload } from "../SuppressionUpload.js"

const encodeSuppression = Schema.encodeSync(Suppression)

/** The organization's suppression list (docs/design.md §3); the caller's organization only. */
export const SuppressionsHandlers = HttpApiBuilder.group(LeadqApi, "suppressions", (handlers) =>
  Effect.gen(function*() {
    const suppressions = yield* SuppressionRepository
    const upload = yield* SuppressionUpload
    return handlers
      .handle("create", ({ payload }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          const draft = yield* suppressionDraftOf(payload, yield* Clock.currentTimeMillis)
          const { created, suppression } = yield* suppressions.suppress(caller.organization_id, draft, caller.api_key_id)
          // A number suppressed already: its reason and expiry were updated, which is a 200, not a 201.
          return created ? suppression : HttpServerResponse.unsafeJson(encodeSuppression(suppression), { status: 200 })
        }))
      .handle("upload", ({ payload }) => Effect.flatMap(CurrentCaller, (c) => upload.upload(c, payload)))
      .handle("list", ({ urlParams: { limit, page, phone_number } }) =>
        Effect.flatMap(CurrentCaller, (c) => suppressions.list(c.organization_id, { ...pageRequestOf({ page, limit }), phone_number })))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => suppressions.get(c.organization_id, path.phone)))
      .handle("lifts", ({ path, urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) => suppressions.lifts(c.organization_id, path.phone, pageRequestOf(urlParams))))
      .handle("lift", ({ path }) => Effect.flatMap(CurrentCaller, (c) => suppressions.lift(c.organization_id, path.phone, c.api_key_id)))
  }))
