import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { leadDraftOf, leadPatchOf, LeadRepository } from "@leadq/domain"
import { Effect } from "effect"
import { GatewayMetrics } from "../GatewayMetrics.js"
import { LeadUpload } from "../LeadUpload.js"

export const LeadsHandlers = HttpApiBuilder.group(LeadqApi, "leads", (handlers) =>
  Effect.gen(function*() {
    const leads = yield* LeadRepository
    const upload = yield* LeadUpload
    const metrics = yield* GatewayMetrics

    return handlers
      .handle("create", ({ payload: { campaignId, ...input } }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          const draft = yield* leadDraftOf(input)
          return yield* leads.add(caller.organization_id, campaignId, draft)
        }))
      .handle("upload", ({ path, payload }) => Effect.flatMap(CurrentCaller, (c) => upload.upload(c, path.campaignId, payload)))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          leads.list(c.organization_id, {
            ...pageRequestOf(urlParams),
            campaign_id: urlParams.campaign_id,
            status: urlParams.status,
            phone_number: urlParams.phone_number
          })))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => leads.get(c.organization_id, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.gen(function*() {
          const caller = yield* CurrentCaller
          const patch = yield* leadPatchOf(payload)
          return yield* leads.update(caller.organization_id, path.id, patch)
        }))
      .handle("removeMany", ({ payload }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          Effect.map(
            leads.removeMany(
              c.organization_id,
              payload.lead_ids !== undefined
                ? { _tag: "LeadIds", lead_ids: payload.lead_ids }
                : { _tag: "PhoneNumbers", campaign_id: payload.campaign_id!, phone_numbers: payload.phone_numbers! },
              { api_key_id: c.api_key_id, reason: payload.reason, suppress: payload.suppress }
            ),
            (result) => {
              for (const item of result.results) if (item.removed_from !== null) metrics.countRemoval(item.removed_from)
              return result
            }
          )))
      // docs/design.md §3, applied by the repository; the removal is counted by the state it was
      // removed from.
      .handle("remove", ({ path, urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          Effect.map(leads.remove(c.organization_id, path.id, {
            api_key_id: c.api_key_id,
            reason: urlParams.reason,
            suppress: urlParams.suppress === "true"
          }), (removal) => {
            metrics.countRemoval(removal.removed_from)
            // The hottest endpoint: its answer is plain JSON already (strings and a boolean), so it
            // is written directly rather than through a second, schema-driven encoding pass.
            return HttpServerResponse.unsafeJson(removal)
          })))
  }))
