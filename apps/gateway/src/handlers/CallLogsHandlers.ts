import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { CallLogPage, CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import type { CallLog, CallLogQuery, Page } from "@leadq/domain"
import { CallLogRepository } from "@leadq/domain"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"

const encodePage = Schema.encodeSync(CallLogPage)

/**
 * A list answered with an `ETag` (a hash of the exact body); when the client already holds that
 * body (`If-None-Match`), a 304 with no body instead. Lists that are followed (`leadq logs
 * follow`) cost the network nothing while nothing changes.
 */
const withEtag = (page: Page<CallLog>) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const body = JSON.stringify(encodePage(page))
    const etag = `"${createHash("sha1").update(body).digest("base64url")}"`
    const ifNoneMatch = request.headers["if-none-match"]
    if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag || t.trim() === "*")) {
      return HttpServerResponse.empty({ status: 304, headers: { etag } })
    }
    return HttpServerResponse.text(body, { contentType: "application/json", headers: { etag } })
  })

const queryOf = (p: {
  readonly page?: number | undefined
  readonly limit?: number | undefined
  readonly campaign_id?: string | undefined
  readonly lead_id?: string | undefined
  readonly status?: CallLogQuery["status"]
  readonly start_date?: Date | undefined
  readonly end_date?: Date | undefined
  readonly duration_min?: number | undefined
  readonly duration_max?: number | undefined
  readonly created_at?: "asc" | "desc" | undefined
}): CallLogQuery => ({
  ...pageRequestOf(p),
  campaign_id: p.campaign_id,
  lead_id: p.lead_id,
  status: p.status,
  start_date: p.start_date,
  end_date: p.end_date,
  duration_min: p.duration_min,
  duration_max: p.duration_max,
  sort: p.created_at
})

export const CallLogsHandlers = HttpApiBuilder.group(LeadqApi, "callLogs", (handlers) =>
  Effect.gen(function*() {
    const callLogs = yield* CallLogRepository
    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) => Effect.flatMap(callLogs.list(c.organization_id, queryOf(urlParams)), withEtag)))
      .handle("byCampaign", ({ path, urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          Effect.flatMap(callLogs.listByCampaign(c.organization_id, path.campaignId, queryOf(urlParams)), withEtag)))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => callLogs.get(c.organization_id, path.id)))
  }))
