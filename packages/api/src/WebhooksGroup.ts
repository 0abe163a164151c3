import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { WebhookEndpoint, WebhookEndpointCreated, WebhookEndpointDeleted } from "@leadq/domain"
import { Schema } from "effect"
import { WebhookCreateBody, WebhookPatchBody } from "./Bodies.js"
import { IdempotencyErrors, WebhookEndpointNotFoundError } from "./Envelope.js"
import { IdPath, PageParams } from "./Params.js"
import { WebhookEndpointPage } from "./Responses.js"
import { Authentication } from "./Security.js"

/**
 * The organization's webhook endpoints (docs/webhooks.md): where leadq POSTs its events —
 * removals, suppressions, calls started and ended, campaign status changes — each signed with the
 * endpoint's secret. A leadq extension.
 */
export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("create", "/v1/webhooks")
      .setPayload(WebhookCreateBody)
      .addSuccess(WebhookEndpointCreated, { status: 201 })
      .addError(IdempotencyErrors)
      .annotate(OpenApi.Summary, "Create a webhook endpoint (its signing secret is in this answer only)")
      .annotate(
        OpenApi.Description,
        "`url` (http or https, no credentials, at most 2048 characters), `events` (at least one of " +
          "lead.removed, lead.suppressed, suppression.lifted, call.started, call.ended, campaign.status_changed; each " +
          "once), an optional `description` and `enabled` (default true). The answer carries `secret`, the HMAC-SHA256 " +
          "signing secret: it is never shown again. Events created from this answer on are sent to it."
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/webhooks")
      .setUrlParams(Schema.Struct(PageParams))
      .addSuccess(WebhookEndpointPage)
      .annotate(OpenApi.Summary, "List the webhook endpoints, oldest first (without their secrets)")
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/webhooks/:id")
      .setPath(IdPath)
      .addSuccess(WebhookEndpoint)
      .addError(WebhookEndpointNotFoundError)
      .annotate(OpenApi.Summary, "Get a webhook endpoint (without its secret)")
  )
  .add(
    HttpApiEndpoint.patch("update", "/v1/webhooks/:id")
      .setPath(IdPath)
      .setPayload(WebhookPatchBody)
      .addSuccess(WebhookEndpoint)
      .addError(WebhookEndpointNotFoundError)
      .annotate(OpenApi.Summary, "Change a webhook endpoint's url, events, description or enabled flag")
      .annotate(OpenApi.Description, "Absent fields stay as they are; `description: null` clears it. The secret does not change.")
  )
  .add(
    HttpApiEndpoint.del("remove", "/v1/webhooks/:id")
      .setPath(IdPath)
      .addSuccess(WebhookEndpointDeleted)
      .addError(WebhookEndpointNotFoundError)
      .annotate(OpenApi.Summary, "Delete a webhook endpoint: nothing is sent to it any more")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Webhooks")
{}
