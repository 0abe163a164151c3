import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { CallLog, CallLogStatus } from "@leadq/domain"
import { Schema } from "effect"
import { CallLogNotFoundError, CampaignNotFoundError } from "./Envelope.js"
import { DateParam, IdParam, IdPath, PageParams, SecondsParam } from "./Params.js"
import { CallLogPage } from "./Responses.js"
import { Authentication } from "./Security.js"

const filters = {
  ...PageParams,
  lead_id: Schema.optional(IdParam),
  status: Schema.optional(CallLogStatus),
  start_date: Schema.optional(DateParam),
  end_date: Schema.optional(DateParam),
  duration_min: Schema.optional(SecondsParam),
  duration_max: Schema.optional(SecondsParam),
  created_at: Schema.optional(Schema.Literal("asc", "desc").annotations({ description: "Sort by creation time (default desc)." }))
}

export const CallLogFilters = Schema.Struct({ ...filters, campaign_id: Schema.optional(IdParam) })
export const CampaignCallLogFilters = Schema.Struct(filters)

const etagNote = "The answer carries an `ETag`; send it back in `If-None-Match` to get `304 Not Modified` while nothing changed."

export class CallLogsGroup extends HttpApiGroup.make("callLogs")
  .add(
    HttpApiEndpoint.get("list", "/v1/call-logs")
      .setUrlParams(CallLogFilters)
      .addSuccess(CallLogPage)
      .annotate(OpenApi.Summary, "List call logs, with filters")
      .annotate(OpenApi.Description, etagNote)
  )
  .add(
    HttpApiEndpoint.get("byCampaign", "/v1/call-logs/campaign/:campaignId")
      .setPath(Schema.Struct({ campaignId: IdParam }))
      .setUrlParams(CampaignCallLogFilters)
      .addSuccess(CallLogPage)
      .addError(CampaignNotFoundError)
      .annotate(OpenApi.Summary, "Every call attempt of one campaign")
      .annotate(OpenApi.Description, etagNote)
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/call-logs/:id")
      .setPath(IdPath)
      .addSuccess(CallLog)
      .addError(CallLogNotFoundError)
      .annotate(OpenApi.Summary, "Get one call log")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Call logs")
{}
