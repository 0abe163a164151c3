import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { Campaign, CampaignStatus } from "@leadq/domain"
import { Schema } from "effect"
import { CampaignBody, CampaignPatchBody } from "./Bodies.js"
import { CampaignNotFoundError, CampaignTerminalError, IdempotencyErrors, InvalidTransitionError } from "./Envelope.js"
import { IdPath, PageParams } from "./Params.js"
import { CampaignPage } from "./Responses.js"
import { Authentication } from "./Security.js"

export class CampaignsGroup extends HttpApiGroup.make("campaigns")
  .add(
    HttpApiEndpoint.post("create", "/v1/campaigns")
      .setPayload(CampaignBody)
      .addSuccess(Campaign, { status: 201 })
      .addError(IdempotencyErrors)
      .annotate(OpenApi.Summary, "Create a campaign")
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/campaigns")
      .setUrlParams(Schema.Struct({ ...PageParams, status: Schema.optional(CampaignStatus) }))
      .addSuccess(CampaignPage)
      .annotate(OpenApi.Summary, "List campaigns, optionally by status")
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/campaigns/:id")
      .setPath(IdPath)
      .addSuccess(Campaign)
      .addError(CampaignNotFoundError)
      .annotate(OpenApi.Summary, "Get a campaign with its live lead counters")
  )
  .add(
    HttpApiEndpoint.patch("update", "/v1/campaigns/:id")
      .setPath(IdPath)
      .setPayload(CampaignPatchBody)
      .addSuccess(Campaign)
      .addError(CampaignNotFoundError)
      .addError(CampaignTerminalError)
      .addError(InvalidTransitionError)
      .annotate(OpenApi.Summary, "Update a campaign; `status: paused | running` pauses or resumes it")
  )
  .add(
    HttpApiEndpoint.post("cancel", "/v1/campaigns/:id/cancel")
      .setPath(IdPath)
      .addSuccess(Campaign)
      .addError(CampaignNotFoundError)
      .addError(CampaignTerminalError)
      .addError(IdempotencyErrors)
      .annotate(OpenApi.Summary, "Cancel a campaign: pending leads are never dialled, calls in progress finish")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Campaigns")
{}
