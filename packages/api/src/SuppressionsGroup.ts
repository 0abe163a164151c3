import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { LiftedSuppression, Suppression } from "@leadq/domain"
import { Schema } from "effect"
import { SuppressionBody } from "./Bodies.js"
import { IdempotencyErrors, PayloadTooLargeError, SuppressionNotFoundError } from "./Envelope.js"
import { CsvUpload } from "./LeadsGroup.js"
import { E164Param, PageParams } from "./Params.js"
import { SuppressionLiftPage, SuppressionPage, SuppressionUploadResult } from "./Responses.js"
import { Authentication } from "./Security.js"

/** A number in a path: E.164, URL-encoded (`%2B14155550123`). */
export const PhonePath = Schema.Struct({
  phone: E164Param.annotations({ description: "The number in E.164, URL-encoded (%2B14155550123)." })
})

/**
 * The organization's suppression list (docs/design.md §3): numbers no campaign of the
 * organization ever calls, enforced in the worker's dial transaction.
 */
export class SuppressionsGroup extends HttpApiGroup.make("suppressions")
  .add(
    HttpApiEndpoint.post("create", "/v1/suppressions")
      .setPayload(SuppressionBody)
      .addSuccess(Suppression, { status: 201 })
      .addSuccess(Suppression.annotations({ identifier: "SuppressionUpdated" }), { status: 200 })
      .addError(IdempotencyErrors)
      .annotate(OpenApi.Summary, "Suppress a number in every campaign of the organization (a leadq extension)")
      .annotate(
        OpenApi.Description,
        "`phone_number` in E.164, or `phoneNumber` with an optional `countryCode` as for a lead; an optional `reason` " +
          "(at most 500 characters) and `expires_at` (in the future). 201 with the new suppression; a number already " +
          "suppressed gets the new reason and expiry and answers 200. From the answer on, no lead with this number is " +
          "dialled by any campaign of the organization: a lead about to be dialled is removed instead (reason " +
          "`suppressed`), and adding one is refused (409 `NumberSuppressed`)."
      )
  )
  .add(
    HttpApiEndpoint.post("upload", "/v1/suppressions/upload-file")
      .setPayload(CsvUpload)
      .addSuccess(SuppressionUploadResult, { status: 201 })
      .addError(IdempotencyErrors)
      .addError(PayloadTooLargeError)
      .annotate(OpenApi.Summary, "Suppress numbers from a CSV file (all or nothing; a leadq extension)")
      .annotate(
        OpenApi.Description,
        "Multipart field `file`, at most 10 MiB and 100,000 rows. A `phone_number` column (E.164, or with a " +
          "`country_code` column) is required; `reason` and `expires_at` columns are optional. Any invalid row " +
          "rejects the whole file with its row numbers, and nothing is written."
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/suppressions")
      .setUrlParams(Schema.Struct({ ...PageParams, phone_number: Schema.optional(E164Param) }))
      .addSuccess(SuppressionPage)
      .annotate(OpenApi.Summary, "List the active suppressions, oldest first (a leadq extension)")
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/suppressions/:phone")
      .setPath(PhonePath)
      .addSuccess(Suppression)
      .addError(SuppressionNotFoundError)
      .annotate(OpenApi.Summary, "Is this number suppressed? (404 when not, or expired)")
  )
  .add(
    HttpApiEndpoint.get("lifts", "/v1/suppressions/:phone/lifts")
      .setPath(PhonePath)
      .setUrlParams(Schema.Struct(PageParams))
      .addSuccess(SuppressionLiftPage)
      .addError(SuppressionNotFoundError)
      .annotate(OpenApi.Summary, "The lift history of a number, newest first (a leadq extension)")
      .annotate(
        OpenApi.Description,
        "Every recorded lift of the number's suppressions in the organization: the suppression as it was (reason, " +
          "expiry, the key that suppressed it and when) and the key that lifted it and when. A number suppressed " +
          "(now, or once and expired) but never lifted has an empty page; a number the organization never " +
          "suppressed is 404 `SuppressionNotFound`."
      )
  )
  .add(
    HttpApiEndpoint.del("lift", "/v1/suppressions/:phone")
      .setPath(PhonePath)
      .addSuccess(LiftedSuppression)
      .addError(SuppressionNotFoundError)
      .annotate(OpenApi.Summary, "Lift a suppression (audited)")
      .annotate(
        OpenApi.Description,
        "The number may be called again. The lift is recorded with the suppression it ended, the API key that " +
          "lifted it and when; the record is never deleted."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Suppressions")
{}
