import type { Effect } from "effect"
import { Context } from "effect"
import type { WebhookEndpointNotFound } from "../Errors.js"
import type { ApiKeyId, OrganizationId } from "../Ids.js"
import type { Page, PageRequest } from "../Pagination.js"
import type {
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointDeleted,
  WebhookEndpointDraft,
  WebhookEndpointPatch
} from "../WebhookEndpoint.js"

/**
 * An organization's webhook endpoints (docs/webhooks.md). A deleted endpoint (soft: its row stays
 * for its delivery history) is not found, listed or changed any more. Another organization's is
 * never seen.
 */
export class WebhookEndpointRepository extends Context.Tag("leadq/WebhookEndpointRepository")<WebhookEndpointRepository, {
  /** A new endpoint with a fresh signing secret, answered this once. */
  readonly create: (org: OrganizationId, draft: WebhookEndpointDraft, apiKeyId: ApiKeyId) => Effect.Effect<WebhookEndpointCreated>
  /** Oldest first. */
  readonly list: (org: OrganizationId, page: PageRequest) => Effect.Effect<Page<WebhookEndpoint>>
  readonly get: (org: OrganizationId, id: string) => Effect.Effect<WebhookEndpoint, WebhookEndpointNotFound>
  readonly update: (org: OrganizationId, id: string, patch: WebhookEndpointPatch) => Effect.Effect<WebhookEndpoint, WebhookEndpointNotFound>
  readonly remove: (org: OrganizationId, id: string) => Effect.Effect<WebhookEndpointDeleted, WebhookEndpointNotFound>
}>() {}
