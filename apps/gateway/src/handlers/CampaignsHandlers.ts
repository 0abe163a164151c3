import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { CampaignRepository } from "@leadq/domain"
import { Effect } from "effect"

/** Thin: the caller's organization, the repository, the answer. */
export const CampaignsHandlers = HttpApiBuilder.group(LeadqApi, "campaigns", (handlers) =>
  Effect.gen(function*() {
    const campaigns = yield* CampaignRepository
    return handlers
      .handle("create", ({ payload }) => Effect.flatMap(CurrentCaller, (c) => campaigns.create(c.organization_id, payload)))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (c) => campaigns.list(c.organization_id, { ...pageRequestOf(urlParams), status: urlParams.status })))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => campaigns.get(c.organization_id, path.id)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(CurrentCaller, (c) => campaigns.update(c.organization_id, path.id, payload)))
      .handle("cancel", ({ path }) => Effect.flatMap(CurrentCaller, (c) => campaigns.cancel(c.organization_id, path.id)))
  }))
