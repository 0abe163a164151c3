import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { CurrentCaller, LeadqApi, pageRequestOf } from "@leadq/api"
import { pageMeta, pageOffset, WebhookDelivery, WebhookDeliveryNotFound, WebhookEndpointNotFound } from "@leadq/domain"
import type { DeliveryRow } from "@leadq/store"
import { WebhookDeliveries } from "@leadq/store"
import { Clock, Effect, Option } from "effect"

const date = (ms: number | null) => (ms === null ? null : new Date(ms))

const toWire = (row: DeliveryRow) =>
  new WebhookDelivery({
    id: row.id,
    webhook_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    queued_at: new Date(row.queued_at),
    next_attempt_at: row.status === "pending" ? new Date(row.next_attempt_at) : null,
    last_attempt_at: date(row.last_attempt_at),
    response_status: row.response_status,
    last_error: row.last_error,
    completed_at: date(row.completed_at)
  })

/**
 * `GET /v1/webhooks/{id}/deliveries` and the re-send (docs/webhooks.md "Deliveries API"). The
 * endpoint must be the caller's and not deleted; anything else is the same 404, so another
 * organization's endpoint ids reveal nothing.
 */
export const WebhookDeliveriesHandlers = HttpApiBuilder.group(LeadqApi, "webhookDeliveries", (handlers) =>
  Effect.gen(function*() {
    const store = yield* WebhookDeliveries
    const ownEndpoint = (webhook_id: string) =>
      Effect.gen(function*() {
        const caller = yield* CurrentCaller
        const endpoint = yield* store.endpoint(webhook_id)
        if (Option.isNone(endpoint) || endpoint.value.organization_id !== caller.organization_id || endpoint.value.deleted_at !== null) {
          return yield* Effect.fail(WebhookEndpointNotFound.of(webhook_id))
        }
        return endpoint.value
      })
    return handlers
      .handle("list", ({ path, urlParams }) =>
        Effect.gen(function*() {
          yield* ownEndpoint(path.id)
          const page = pageRequestOf(urlParams)
          const { rows, total } = yield* store.list(path.id, { status: urlParams.status, limit: page.limit, offset: pageOffset(page) })
          return { data: rows.map(toWire), meta: pageMeta(page, total) }
        }))
      .handle("resend", ({ path }) =>
        Effect.gen(function*() {
          yield* ownEndpoint(path.id)
          const row = yield* store.resend(path.id, path.deliveryId, yield* Clock.currentTimeMillis)
          if (Option.isNone(row)) return yield* Effect.fail(WebhookDeliveryNotFound.of(path.deliveryId))
          return toWire(row.value)
        }))
  }))
