import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { RemovalAuditRepository } from "@leadq/domain"
import { Effect } from "effect"

/** The removal audit, read for compliance reviews; the caller's organization only. */
export const RemovalsHandlers = HttpApiBuilder.group(LeadqApi, "removals", (handlers) =>
  Effect.gen(function*() {
    const removals = yield* RemovalAuditRepository
    return handlers
      .handle("list", ({ urlParams: { limit, page, ...filters } }) =>
        Effect.flatMap(CurrentCaller, (c) => removals.list(c.organization_id, { ...pageRequestOf({ page, limit }), ...filters })))
      .handle("ofLead", ({ path }) => Effect.flatMap(CurrentCaller, (c) => removals.ofLead(c.organization_id, path.id)))
  }))
