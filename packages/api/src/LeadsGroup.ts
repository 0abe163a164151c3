import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Multipart from "@effect/platform/Multipart"
import * as OpenApi from "@effect/platform/OpenApi"
import { BulkRemoval, CampaignLead, LeadRemoval, LeadStatus } from "@leadq/domain"
import { Option, Schema } from "effect"
import { BulkRemoveBody, LeadCreateBody, LeadPatchBody } from "./Bodies.js"
import {
  CampaignNotFoundError,
  CampaignTerminalError,
  DuplicateLeadError,
  IdempotencyErrors,
  LeadLockedError,
  LeadNotFoundError,
  NumberSuppressedError,
  PayloadTooLargeError
} from "./Envelope.js"
import { E164Param, IdParam, IdPath, PageParams, ReasonParam } from "./Params.js"
import { CampaignLeadPage, UploadResult } from "./Responses.js"
import { Authentication } from "./Security.js"

/** The CSV upload limit: 10 MiB of file. */
export const MAX_CSV_BYTES = 10 * 1024 * 1024

/** The multipart body of an upload: one part named `file`, streamed (never held whole). */
export const CsvUpload = HttpApiSchema.MultipartStream(
  Schema.Struct({ file: Multipart.SingleFileSchema.annotations({ description: "The CSV file (UTF-8, header row first)." }) }),
  { maxParts: Option.some(4), maxFileSize: Option.some(MAX_CSV_BYTES), maxTotalSize: Option.some(MAX_CSV_BYTES + 64 * 1024) }
)

export class LeadsGroup extends HttpApiGroup.make("leads")
  .add(
    HttpApiEndpoint.post("create", "/v1/campaigns-leads")
      .setPayload(LeadCreateBody)
      .addSuccess(CampaignLead, { status: 201 })
      .addError(IdempotencyErrors)
      .addError(CampaignNotFoundError)
      .addError(CampaignTerminalError)
      .addError(NumberSuppressedError)
      .addError(DuplicateLeadError)
      .annotate(OpenApi.Summary, "Add one lead to a campaign")
      .annotate(
        OpenApi.Description,
        "A number on the organization's suppression list is refused, 409 `NumberSuppressed` (checked first). " +
          "A campaign holds a phone number once while its lead is not removed: a number a live lead of the " +
          "campaign already has is 409 `DuplicateLead` naming that `lead_id`. A removed lead's number can be added " +
          "again; the same number in another campaign is a separate lead."
      )
  )
  .add(
    HttpApiEndpoint.post("upload", "/v1/campaigns-leads/upload-file/:campaignId")
      .setPath(Schema.Struct({ campaignId: IdParam }))
      .setPayload(CsvUpload)
      .addSuccess(UploadResult, { status: 201 })
      .addError(IdempotencyErrors)
      .addError(CampaignNotFoundError)
      .addError(CampaignTerminalError)
      .addError(PayloadTooLargeError)
      .annotate(OpenApi.Summary, "Bulk-add leads from a CSV file (all or nothing)")
      .annotate(
        OpenApi.Description,
        "Multipart field `file`, at most 10 MiB. A `phone_number` column is required; `country_code` and `name` " +
          "columns map to the lead; up to 15 other columns become notes. Rows without a phone number are skipped " +
          "and counted; any invalid number rejects the whole file with its row numbers, and nothing is inserted. " +
          "A row whose number is suppressed in the organization (reason `suppressed`), or whose number a live lead " +
          "of the campaign already holds or an earlier row of the file has (reason `duplicate`, with the holding " +
          "`lead_id`), is skipped (not an error), counted in `leads_skipped` and listed in `skipped` (row, number, " +
          "reason; in file order, the first 1,000, then counted in `skipped_unlisted`)."
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/campaigns-leads")
      .setUrlParams(Schema.Struct({
        ...PageParams,
        campaign_id: Schema.optional(IdParam),
        status: Schema.optional(LeadStatus),
        phone_number: Schema.optional(E164Param)
      }))
      .addSuccess(CampaignLeadPage)
      .annotate(OpenApi.Summary, "List leads (of a campaign, by status or by phone number)")
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/campaigns-leads/:id")
      .setPath(IdPath)
      .addSuccess(CampaignLead)
      .addError(LeadNotFoundError)
      .annotate(OpenApi.Summary, "Get a lead (a removed lead is not found)")
  )
  .add(
    HttpApiEndpoint.patch("update", "/v1/campaigns-leads/:id")
      .setPath(IdPath)
      .setPayload(LeadPatchBody)
      .addSuccess(CampaignLead)
      .addError(LeadNotFoundError)
      .addError(LeadLockedError)
      .addError(CampaignTerminalError)
      .addError(NumberSuppressedError)
      .addError(DuplicateLeadError)
      .annotate(OpenApi.Summary, "Correct a pending lead's name, phone number or notes")
      .annotate(
        OpenApi.Description,
        "A new `phone_number` is checked like an add: one on the organization's suppression list is refused, 409 " +
          "`NumberSuppressed` (checked first); one a live lead of the campaign already holds is 409 `DuplicateLead` " +
          "naming that `lead_id`. A refused correction changes nothing."
      )
  )
  .add(
    HttpApiEndpoint.del("remove", "/v1/campaigns-leads/:id")
      .setPath(IdPath)
      .setUrlParams(Schema.Struct({
        reason: Schema.optional(ReasonParam),
        suppress: Schema.optional(Schema.Literal("true", "false").annotations({
          description: "`true`: also suppress the lead's number in the organization, in the removal's transaction."
        }))
      }))
      .addSuccess(LeadRemoval)
      .addError(LeadNotFoundError)
      .addError(CampaignTerminalError)
      .annotate(OpenApi.Summary, "Remove a lead from its campaign")
      .annotate(
        OpenApi.Description,
        "Pending or claimed: it leaves the queue at once and is never dialled. In a call: the call is not " +
          "interrupted, its log is written as usual, and no retry follows. Called: it leaves the queue; its call " +
          "logs stay. Every removal is audited with the API key, the time, the state it was removed from and the " +
          "optional `reason`. With `suppress=true` the lead's number is also suppressed (`POST /v1/suppressions`) in " +
          "the same transaction, and the answer has `\"suppressed\": true`."
      )
  )
  .add(
    HttpApiEndpoint.post("removeMany", "/v1/campaigns-leads/bulk-remove")
      .setPayload(BulkRemoveBody)
      .addSuccess(BulkRemoval)
      .addError(IdempotencyErrors)
      .addError(CampaignNotFoundError)
      .annotate(OpenApi.Summary, "Remove many leads at once (a leadq extension)")
      .annotate(
        OpenApi.Description,
        "Up to 1,000 `lead_ids`, or up to 1,000 `phone_numbers` with their `campaign_id` (every lead of that " +
          "campaign with such a number). Each entry is removed exactly as `DELETE /v1/campaigns-leads/{id}` would " +
          "remove it — same rules, same audit record, the optional `reason` — and answered on its own: `removed` " +
          "(with `removed_from`), `already_removed`, `not_found` (also another organization's ids) or `refused` " +
          "(a completed or cancelled campaign). One transaction; nothing is half-done. Safe to repeat. With " +
          "`suppress: true` the numbers (those named, or those of the leads found) are suppressed in the same transaction."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Campaign leads")
{}
