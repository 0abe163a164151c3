import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { RemovalAudit } from "@leadq/domain"
import { Schema } from "effect"
import { LeadNotFoundError } from "./Envelope.js"
import { DateParam, E164Param, IdParam, IdPath, PageParams } from "./Params.js"
import { RemovalAuditPage } from "./Responses.js"
import { Authentication } from "./Security.js"

export const RemovalFilters = Schema.Struct({
  ...PageParams,
  campaign_id: Schema.optional(IdParam),
  phone_number: Schema.optional(E164Param.annotations({ description: "The lead's number when it was removed (E.164)." })),
  api_key_id: Schema.optional(IdParam.annotations({ description: "The API key that removed the lead (`key_…`)." })),
  from: Schema.optional(DateParam.annotations({ description: "Removed at or after (ISO 8601)." })),
  to: Schema.optional(DateParam.annotations({ description: "Removed at or before (ISO 8601)." }))
}).pipe(
  // A range that ends before it starts is a mistake in the request, not a question whose
  // answer is "no records": an empty list would read as "nobody was removed then".
  Schema.filter((f) =>
    f.from === undefined || f.to === undefined || f.from.getTime() <= f.to.getTime() ||
    { path: ["from"], message: `must not be after to (from ${f.from.toISOString()}, to ${f.to.toISOString()})` }
  )
)

/**
 * The removal audit records, read-only (docs/design.md §3, invariant 5). A removed lead is not
 * found at `GET /v1/campaigns-leads/{id}`; its record is found here.
 */
export class RemovalsGroup extends HttpApiGroup.make("removals")
  .add(
    HttpApiEndpoint.get("list", "/v1/removals")
      .setUrlParams(RemovalFilters)
      .addSuccess(RemovalAuditPage)
      .annotate(OpenApi.Summary, "List removal audit records, newest first (a leadq extension)")
      .annotate(
        OpenApi.Description,
        "One record per removed lead: the API key that removed it, when, the optional reason, the state it was " +
          "removed from (`pending`, `claimed`, `in_call`, `called`), the attempt it was at and whether a call was " +
          "in progress. Records are written with the removal and never changed or deleted."
      )
  )
  .add(
    HttpApiEndpoint.get("ofLead", "/v1/campaigns-leads/:id/removal")
      .setPath(IdPath)
      .addSuccess(RemovalAudit)
      .addError(LeadNotFoundError)
      .annotate(OpenApi.Summary, "The removal audit record of one lead (a leadq extension)")
      .annotate(OpenApi.Description, "404 when the lead is not this organization's or was never removed.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Removals")
{}
