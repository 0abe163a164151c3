import * as SqlClient from "@effect/sql/SqlClient"
import { randomToken } from "@leadq/domain"
import { Effect } from "effect"

/**
 * Endpoint and outbox rows written directly with SQL, as the endpoints API and the changing
 * transactions write them (migration 0007): the delivery side's tests and benchmark stay
 * independent of who writes them.
 */
export interface TestEndpoint {
  readonly id: string
  readonly organization_id: string
  readonly url: string
  readonly secret: string
  readonly events: ReadonlyArray<string>
}

export const insertEndpoint = (options: {
  readonly organization_id: string
  readonly url: string
  readonly events?: ReadonlyArray<string>
  readonly secret?: string
  readonly enabled?: boolean
  readonly created_at?: number
}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = Date.now()
    const endpoint: TestEndpoint = {
      id: `wh_${randomToken()}`,
      organization_id: options.organization_id,
      url: options.url,
      secret: options.secret ?? `whsec_${randomToken()}`,
      events: options.events ?? ["lead.removed", "call.ended"]
    }
    yield* sql`INSERT INTO webhook_endpoints ${
      sql.insert({
        id: endpoint.id,
        organization_id: endpoint.organization_id,
        url: endpoint.url,
        events: JSON.stringify(endpoint.events),
        secret: endpoint.secret,
        enabled: options.enabled === false ? 0 : 1,
        description: null,
        api_key_id: "key_test",
        created_at: options.created_at ?? now - 1,
        updated_at: now,
        deleted_at: null
      })
    }`
    return endpoint
  }).pipe(Effect.orDie)

export interface TestEvent {
  readonly id: string
  readonly type: string
  readonly data: Record<string, unknown>
}

/** One outbox row, in the caller's transaction if there is one (that is the point of the outbox). */
export const appendEvent = (organization_id: string, type: string, data: Record<string, unknown>, created_at = Date.now()) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const event: TestEvent = { id: `evt_${randomToken()}`, type, data }
    yield* sql`INSERT INTO outbox_events (id, organization_id, type, payload, created_at)
      VALUES (${event.id}, ${organization_id}, ${type}, ${JSON.stringify(data)}, ${created_at})`
    return event
  }).pipe(Effect.orDie)

/** `count` events in one transaction each. */
export const appendEvents = (organization_id: string, type: string, count: number, data: (i: number) => Record<string, unknown> = (i) => ({ n: i })) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const events: Array<TestEvent> = []
    for (let i = 0; i < count; i++) events.push(yield* sql.withTransaction(appendEvent(organization_id, type, data(i))).pipe(Effect.orDie))
    return events
  })

export const deliveryStatuses = (endpoint_id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ event_id: string; status: string; attempts: number }>`SELECT event_id, status, attempts
      FROM webhook_deliveries WHERE endpoint_id = ${endpoint_id} ORDER BY position`
  }).pipe(Effect.orDie)
