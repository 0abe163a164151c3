import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type { ApiKeyId, OrganizationId, PageRequest, SuppressionDraft, SuppressionQuery } from "@leadq/domain"
import {
  ApiKeyId as ApiKeyIdSchema,
  E164,
  LiftedSuppression,
  pageMeta,
  pageOffset,
  Suppression,
  SuppressionLift,
  SuppressionLiftId,
  SuppressionNotFound,
  SuppressionRepository,
  unsafeMakeId
} from "@leadq/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { appendEvents, suppressedEvents } from "./Outbox.js"
import { CountRow, EpochMsColumn } from "./Rows.js"
import { findAll, findOne, makeLocks, orDieOnSql, single } from "./Sql.js"
import { activeSuppressions, upsertSuppressions } from "./Suppressions.js"

/** A `suppressions` row, decoded into the wire record. */
const SuppressionFromRow = Schema.transform(
  Schema.Struct({
    phone_number: E164,
    reason: Schema.NullOr(Schema.String),
    expires_at: Schema.NullOr(EpochMsColumn),
    api_key_id: ApiKeyIdSchema,
    created_at: EpochMsColumn,
    updated_at: EpochMsColumn
  }),
  Schema.typeSchema(Suppression),
  {
    strict: true,
    decode: (row) =>
      new Suppression({
        ...row,
        expires_at: row.expires_at === null ? null : new Date(row.expires_at),
        created_at: new Date(row.created_at),
        updated_at: new Date(row.updated_at)
      }, true),
    encode: (s) => ({
      ...s,
      expires_at: s.expires_at?.getTime() ?? null,
      created_at: s.created_at.getTime(),
      updated_at: s.updated_at.getTime()
    })
  }
)

/** A `suppression_lifts` row, decoded into the wire record. */
const LiftFromRow = Schema.transform(
  Schema.Struct({
    id: SuppressionLiftId,
    phone_number: E164,
    reason: Schema.NullOr(Schema.String),
    expires_at: Schema.NullOr(EpochMsColumn),
    suppressed_by: ApiKeyIdSchema,
    suppressed_at: EpochMsColumn,
    lifted_by: ApiKeyIdSchema,
    lifted_at: EpochMsColumn
  }),
  Schema.typeSchema(SuppressionLift),
  {
    strict: true,
    decode: (row) =>
      new SuppressionLift({
        ...row,
        expires_at: row.expires_at === null ? null : new Date(row.expires_at),
        suppressed_at: new Date(row.suppressed_at),
        lifted_at: new Date(row.lifted_at)
      }, true),
    encode: (l) => ({
      ...l,
      expires_at: l.expires_at?.getTime() ?? null,
      suppressed_at: l.suppressed_at.getTime(),
      lifted_at: l.lifted_at.getTime()
    })
  }
)

export const makeSuppressionRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const locks = makeLocks(sql)

  const columns = sql`phone_number, reason, expires_at, api_key_id, created_at, updated_at`
  const active = (now: number) => sql`(expires_at IS NULL OR expires_at > ${now})`

  const findActive = (org: OrganizationId, phone: string, now: number, lock: Statement.Fragment = sql.literal("")) =>
    findOne(
      SuppressionFromRow,
      sql`SELECT ${columns} FROM suppressions
        WHERE organization_id = ${org} AND phone_number = ${phone} AND ${active(now)} ${lock}`
    )

  const suppress = Effect.fn("leadq/SuppressionRepository.suppress")(function*(
    org: OrganizationId,
    draft: SuppressionDraft,
    apiKeyId: ApiKeyId
  ) {
    const now = yield* Clock.currentTimeMillis
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        const before = yield* findActive(org, draft.phone_number, now, locks.forUpdate)
        yield* upsertSuppressions(sql, org, [draft], apiKeyId, now)
        yield* appendEvents(sql, suppressedEvents(org, [draft], apiKeyId, now), now)
        const after = yield* findActive(org, draft.phone_number, now)
        if (Option.isNone(after)) return yield* Effect.dieMessage(`suppression of ${draft.phone_number} vanished`)
        return { suppression: after.value, created: Option.isNone(before) }
      })
    )
  }, orDieOnSql)

  const suppressMany = Effect.fn("leadq/SuppressionRepository.suppressMany")(function*(
    org: OrganizationId,
    drafts: ReadonlyArray<SuppressionDraft>,
    apiKeyId: ApiKeyId
  ) {
    const now = yield* Clock.currentTimeMillis
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        const before = yield* activeSuppressions(sql, [org], drafts.map((d) => d.phone_number), now)
        const written = yield* upsertSuppressions(sql, org, drafts, apiKeyId, now)
        yield* appendEvents(sql, suppressedEvents(org, drafts, apiKeyId, now), now)
        return { created: written - before.size, updated: before.size }
      })
    )
  }, orDieOnSql)

  const activeAmong = Effect.fn("leadq/SuppressionRepository.activeAmong")(function*(
    org: OrganizationId,
    phones: ReadonlyArray<string>
  ) {
    const now = yield* Clock.currentTimeMillis
    const found = yield* activeSuppressions(sql, [org], phones, now)
    return new Set([...found.values()].map((s) => s.phone_number)) as ReadonlySet<string>
  }, orDieOnSql)

  const list = Effect.fn("leadq/SuppressionRepository.list")(function*(org: OrganizationId, query: SuppressionQuery) {
    const now = yield* Clock.currentTimeMillis
    const where = sql.and([
      sql`organization_id = ${org}`,
      active(now),
      ...(query.phone_number !== undefined ? [sql`phone_number = ${query.phone_number}`] : [])
    ])
    const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM suppressions WHERE ${where}`)
    const data = yield* findAll(
      SuppressionFromRow,
      sql`SELECT ${columns} FROM suppressions WHERE ${where}
        ORDER BY created_at, phone_number LIMIT ${query.limit} OFFSET ${pageOffset(query)}`
    )
    return { data, meta: pageMeta(query, count.n) }
  }, orDieOnSql)

  const get = Effect.fn("leadq/SuppressionRepository.get")(function*(org: OrganizationId, phone: string) {
    const now = yield* Clock.currentTimeMillis
    const found = yield* findActive(org, phone, now)
    if (Option.isNone(found)) return yield* Effect.fail(SuppressionNotFound.of(phone))
    return found.value
  }, orDieOnSql)

  const lifts = Effect.fn("leadq/SuppressionRepository.lifts")(function*(org: OrganizationId, phone: string, page: PageRequest) {
    // The index suppression_lifts_by_phone (organization, number, lifted_at) serves both statements.
    const where = sql`organization_id = ${org} AND phone_number = ${phone}`
    const count = yield* single(CountRow, sql`SELECT count(*) AS n FROM suppression_lifts WHERE ${where}`)
    if (count.n === 0) {
      // Never lifted: an empty history if the number is (or was, expired) suppressed; not found if
      // the organization never heard of it — the same answer another organization's number gets.
      const known = yield* sql`SELECT 1 AS x FROM suppressions WHERE ${where}`
      if (known.length === 0) return yield* Effect.fail(SuppressionNotFound.never(phone))
    }
    const data = yield* findAll(
      LiftFromRow,
      sql`SELECT id, phone_number, reason, expires_at, suppressed_by, suppressed_at, lifted_by, lifted_at
        FROM suppression_lifts WHERE ${where}
        ORDER BY lifted_at DESC, id DESC LIMIT ${page.limit} OFFSET ${pageOffset(page)}`
    )
    return { data, meta: pageMeta(page, count.n) }
  }, orDieOnSql)

  const lift = Effect.fn("leadq/SuppressionRepository.lift")(function*(org: OrganizationId, phone: string, apiKeyId: ApiKeyId) {
    const now = yield* Clock.currentTimeMillis
    return yield* sql.withTransaction(
      Effect.gen(function*() {
        const found = yield* findActive(org, phone, now, locks.forUpdate)
        if (Option.isNone(found)) return yield* Effect.fail(SuppressionNotFound.of(phone))
        const s = found.value
        // The lift record first, then the row: both in this transaction, so no lift goes unrecorded.
        yield* sql`INSERT INTO suppression_lifts ${
          sql.insert({
            id: unsafeMakeId.suppressionLift(),
            organization_id: org,
            phone_number: s.phone_number,
            reason: s.reason,
            expires_at: s.expires_at?.getTime() ?? null,
            suppressed_by: s.api_key_id,
            suppressed_at: s.created_at.getTime(),
            lifted_by: apiKeyId,
            lifted_at: now
          })
        }`
        yield* sql`DELETE FROM suppressions WHERE organization_id = ${org} AND phone_number = ${phone}`
        yield* appendEvents(sql, [{
          organization_id: org,
          type: "suppression.lifted",
          data: {
            phone_number: s.phone_number,
            reason: s.reason,
            expires_at: s.expires_at?.toISOString() ?? null,
            suppressed_by: s.api_key_id,
            suppressed_at: s.created_at.toISOString(),
            lifted_by: apiKeyId,
            lifted_at: new Date(now).toISOString()
          }
        }], now)
        return new LiftedSuppression({
          message: "Suppression lifted.",
          suppression: s,
          lifted_by: apiKeyId,
          lifted_at: new Date(now)
        }, true)
      })
    )
  }, orDieOnSql)

  return SuppressionRepository.of({ suppress, suppressMany, activeAmong, list, get, lifts, lift })
})

export const SuppressionRepositoryLive: Layer.Layer<SuppressionRepository, never, SqlClient.SqlClient> = Layer.effect(
  SuppressionRepository,
  makeSuppressionRepository
)
