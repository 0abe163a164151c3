import { HttpServerResponse } from "@effect/platform"
import type { Caller } from "@leadq/domain"
import { LeadRepository } from "@leadq/domain"
import { Effect } from "effect"
import { GatewayMetrics } from "../GatewayMetrics.js"

/**
 * `DELETE /v1/campaigns-leads/{id}` once the caller is known and the request decoded: the
 * repository applies docs/design.md §3, the removal is counted by the state it was removed from.
 * One function for both ways the request arrives (the router and the removal route ahead of it).
 */
export const makeRemoveLead = Effect.gen(function*() {
  const leads = yield* LeadRepository
  const metrics = yield* GatewayMetrics
  return (caller: Caller, id: string, reason: string | undefined) =>
    Effect.map(leads.remove(caller.organization_id, id, { api_key_id: caller.api_key_id, reason }), (removal) => {
      metrics.countRemoval(removal.removed_from)
      // The hottest endpoint: its answer is plain JSON already (strings and a boolean), so it is
      // written directly rather than through a second, schema-driven encoding pass.
      return HttpServerResponse.unsafeJson(removal)
    })
})
