import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { WebhookEndpointRepository } from "@leadq/domain"
import { Effect } from "effect"

/** The organization's webhook endpoints (docs/webhooks.md); the caller's organization only. */
export const WebhooksHandlers = HttpApiBuilder.group(LeadqApi, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const endpoints = yield* WebhookEndpointRepository
    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(CurrentCaller, (c) =>
          endpoints.create(
            c.organization_id,
            { url: payload.url, events: payload.events, enabled: payload.enabled ?? true, description: payload.description ?? null },
            c.api_key_id
          )))
      .handle("list", ({ urlParams }) => Effect.flatMap(CurrentCaller, (c) => endpoints.list(c.organization_id, pageRequestOf(urlParams))))
      .handle("get", ({ path }) => Effect.flatMap(CurrentCaller, (c) => endpoints.get(c.organization_id, path.id)))
      .handle("update", ({ path, payload }) => Effect.flatMap(CurrentCaller, (c) => endpoints.update(c.organization_id, path.id, payload)))
      .handle("remove", ({ path }) => Effect.flatMap(CurrentCaller, (c) => endpoints.remove(c.organization_id, path.id)))
  }))
