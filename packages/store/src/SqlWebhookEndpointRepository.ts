import * as SqlClient from "@effect/sql/SqlClient"
import type { ApiKeyId, OrganizationId, PageRequest, WebhookEndpointDraft, WebhookEndpointPatch } from "@leadq/domain"
import {
  ApiKeyId as ApiKeyIdSchema,
  pageMeta,
  pageOffset,
  randomToken,
  unsafeMakeId,
  WEBHOOK_SECRET_PREFIX,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointDeleted,
  WebhookEndpointId,
  WebhookEndpointNotFound,
  WebhookEndpointRepository,
  WebhookEventType
} from "@leadq/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { CountRow, EpochMsColumn, IntColumn } from "./Rows.js"
import { findAll, findOne, makeLocks, orDieOnSql, single } from "./Sql.js"

/** A `webhook_endpoints` row (its secret left out: only the creation answers it), decoded into the wire record. */
const EndpointFromRow = Schema.transform(
  Schema.Struct({
    id: WebhookEndpointId,
    url: Schema.String,
    events: Schema.parseJson(Schema.Array(WebhookEventType)),
    enabled: IntColumn,
    description: Schema.NullOr(Schema.String),
    api_key_id: ApiKeyIdSchema,
    created_at: EpochMsColumn,
    updated_at: EpochMsColumn
  }),
  Schema.typeSchema(WebhookEndpoint),
  {
    strict: true,
    decode: (row) =>
      new WebhookEndpoint({
        ...row,
        enabled: row.enabled === 1,
        created_at: new Date(row.created_at),
        updated_at: new Date(row.updated_at)
      }, true),
    encode: (e) => ({ ...e, enabled: e.enabled ? 1 : 0, created_at: e.created_at.getTime(), updated_at: e.updated_at.getTime() })
  }
)

/** 32 characters of base32 (160 random bits) after the prefix. */
const SECRET_LENGTH = 32

export const makeWebhookEndpointRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const locks = makeLocks(sql)

  const columns = sql`id, url, events, enabled, description, api_key_id, created_at, updated_at`
  const live = (org: OrganizationId) => sql`organization_id = ${org} AND deleted_at IS NULL`

  const find = (org: OrganizationId, id: string, lock = sql.literal("")) =>
    Effect.flatMap(
      findOne(EndpointFromRow, sql`SELECT ${columns} FROM webhook_endpoints WHERE id = ${id} AND ${live(org)} ${lock}`),
      Option.match({ onNone: () => Effect.fail(WebhookEndpointNotFound.of(id)), onSome: Effect.succeed })
    )

  const create = Effect.fn("leadq/WebhookEndpointRepository.create")(function*(
    org: OrganizationId,
    draft: WebhookEndpointDraft,
    apiKeyId: ApiKeyId
  ) {
    const now = yield* Clock.currentTimeMillis
    const id = unsafeMakeId.webhookEndpoint()
    const secret = WEBHOOK_SECRET_PREFIX + randomToken(SECRET_LENGTH)
    yield* sql`INSERT INTO webhook_endpoints ${
      sql.insert({
        id,
        organization_id: org,
        url: draft.url,
        events: JSON.stringify(draft.events),
        secret,
        enabled: draft.enabled ? 1 : 0,
        description: draft.description,
        api_key_id: apiKeyId,
        created_at: now,
        updated_at: now,
        deleted_at: null
      })
    }`
    return new WebhookEndpointCreated({
      id,
      url: draft.url,
      events: draft.events,
      enabled: draft.enabled,
      description: draft.description,
      api_key_id: apiKeyId,
      created_at: new Date(now),
      updated_at: new Date(now),
      secret
    }, true)
  }, orDieOnSql)

  const list = Effect.fn("leadq/WebhookEndpointRepository.list")(function*(org: OrganizationId, page: PageRequest) {
    const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM webhook_endpoints WHERE ${live(org)}`)
    const data = yield* findAll(
      EndpointFromRow,
      sql`SELECT ${columns} FROM webhook_endpoints WHERE ${live(org)}
        ORDER BY created_at, id LIMIT ${page.limit} OFFSET ${pageOffset(page)}`
    )
    return { data, meta: pageMeta(page, count.n) }
  }, orDieOnSql)

  const get = Effect.fn("leadq/WebhookEndpointRepository.get")(function*(org: OrganizationId, id: string) {
    return yield* find(org, id)
  }, orDieOnSql)

  const update = Effect.fn("leadq/WebhookEndpointRepository.update")(function*(
    org: OrganizationId,
    id: string,
    patch: WebhookEndpointPatch
  ) {
    const now = yield* Clock.currentTimeMillis
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* find(org, id, locks.forUpdate)
        const set: Record<string, unknown> = { updated_at: now }
        if (patch.url !== undefined) set.url = patch.url
        if (patch.events !== undefined) set.events = JSON.stringify(patch.events)
        if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0
        if (patch.description !== undefined) set.description = patch.description
        yield* sql`UPDATE webhook_endpoints SET ${sql.update(set)} WHERE id = ${id} AND ${live(org)}`
        return yield* find(org, id)
      })
    )
  }, orDieOnSql)

  const remove = Effect.fn("leadq/WebhookEndpointRepository.remove")(function*(org: OrganizationId, id: string) {
    const now = yield* Clock.currentTimeMillis
    // Soft: the row stays for its delivery history; a deleted endpoint is never sent to again.
    const changed = yield* sql`UPDATE webhook_endpoints SET deleted_at = ${now}, updated_at = ${now}
      WHERE id = ${id} AND ${live(org)} RETURNING id`
    if (changed.length === 0) return yield* Effect.fail(WebhookEndpointNotFound.of(id))
    return new WebhookEndpointDeleted({ message: "Webhook endpoint deleted.", id: id as WebhookEndpointId, deleted_at: new Date(now) }, true)
  }, orDieOnSql)

  return WebhookEndpointRepository.of({ create, list, get, update, remove })
})

export const WebhookEndpointRepositoryLive: Layer.Layer<WebhookEndpointRepository, never, SqlClient.SqlClient> = Layer.effect(
  WebhookEndpointRepository,
  makeWebhookEndpointRepository
)
