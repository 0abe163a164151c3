import * as SqlClient from "@effect/sql/SqlClient"
import { randomToken } from "@leadq/domain"
import { Data, Effect, Option, Schema } from "effect"

/**
 * The outgoing-webhook dispatcher's SQL (migration 0008; docs/webhooks.md "Delivery"), on either
 * engine: the delivery side's repository, used by the dispatcher (`@leadq/webhooks`) and by the
 * gateway's deliveries API.
 *
 * An endpoint is served by one dispatcher at a time: the one holding its claim in
 * `webhook_dispatch` (owner, lease, fencing number). Every write made under a claim is
 * conditional on that claim still being ours, so a dispatcher whose lease ran out (stalled, or
 * its endpoint taken over) changes nothing. Infrastructure failures are defects here, as at every
 * repository edge; losing a claim is `ClaimLost`, which the dispatcher acts on (it stops serving
 * the endpoint).
 */
export interface Claim {
  readonly endpoint_id: string
  readonly owner: string
  readonly fence: number
}

export class ClaimLost extends Data.TaggedError("ClaimLost")<{ readonly endpoint_id: string }> {}

export const DeliveryStatus = Schema.Literal("pending", "delivered", "failed")
export type DeliveryStatus = typeof DeliveryStatus.Type

/** An endpoint as the dispatcher needs it. */
export const EndpointRow = Schema.Struct({
  id: Schema.String,
  organization_id: Schema.String,
  url: Schema.String,
  events: Schema.parseJson(Schema.Array(Schema.String)),
  secret: Schema.String,
  enabled: Schema.Number,
  created_at: Schema.Number,
  deleted_at: Schema.NullOr(Schema.Number)
})
export type EndpointRow = typeof EndpointRow.Type

/** The delivery at the head of an endpoint's line, with its event (null: the event was pruned). */
export const HeadRow = Schema.Struct({
  id: Schema.String,
  event_id: Schema.String,
  event_type: Schema.String,
  attempts: Schema.Number,
  queued_at: Schema.Number,
  next_attempt_at: Schema.Number,
  payload: Schema.NullOr(Schema.String),
  event_created_at: Schema.NullOr(Schema.Number)
})
export type HeadRow = typeof HeadRow.Type

export const DeliveryRow = Schema.Struct({
  id: Schema.String,
  endpoint_id: Schema.String,
  event_id: Schema.String,
  event_type: Schema.String,
  position: Schema.Number,
  status: DeliveryStatus,
  attempts: Schema.Number,
  queued_at: Schema.Number,
  next_attempt_at: Schema.Number,
  last_attempt_at: Schema.NullOr(Schema.Number),
  response_status: Schema.NullOr(Schema.Number),
  last_error: Schema.NullOr(Schema.String),
  completed_at: Schema.NullOr(Schema.Number)
})
export type DeliveryRow = typeof DeliveryRow.Type

const OutboxRow = Schema.Struct({
  seq: Schema.Number,
  id: Schema.String,
  type: Schema.String,
  created_at: Schema.Number,
  txid: Schema.Number
})

/** What one attempt came to. */
export type AttemptOutcome =
  | { readonly _tag: "delivered"; readonly at: number; readonly status: number }
  | { readonly _tag: "retry"; readonly at: number; readonly status: number | null; readonly error: string; readonly next_at: number }
  | { readonly _tag: "failed"; readonly at: number; readonly status: number | null; readonly error: string }

const FAN_OUT_BATCH = 500

export class WebhookDeliveries extends Effect.Service<WebhookDeliveries>()("leadq/store/WebhookDeliveries", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
    const decode = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
      Effect.orDie(Schema.decodeUnknown(Schema.Array(schema))(rows))

    /** The claim is still ours: the condition every write under it carries. */
    const held = (claim: Claim) =>
      sql`EXISTS (SELECT 1 FROM webhook_dispatch c WHERE c.endpoint_id = ${claim.endpoint_id} AND c.owner = ${claim.owner} AND c.fence = ${claim.fence})`

    /** A dispatch row for every live endpoint that has none yet (created by the endpoints API). */
    const ensureDispatchRows = Effect.fn("leadq/store/WebhookDeliveries.ensureDispatchRows")(function*(now: number) {
      yield* sql`INSERT INTO webhook_dispatch (endpoint_id, cursor_txid, cursor_seq, last_position, due_at, owner, lease_until, fence)
        SELECT e.id, 0, 0, 0, ${now}, NULL, 0, 0 FROM webhook_endpoints e
        WHERE e.deleted_at IS NULL AND e.enabled = 1
          AND NOT EXISTS (SELECT 1 FROM webhook_dispatch d WHERE d.endpoint_id = e.id)
        ON CONFLICT (endpoint_id) DO NOTHING`
    })

    /**
     * Claims up to `limit` live endpoints that are due and unclaimed (or whose claim expired: a
     * dead or stalled dispatcher's). The claim condition is repeated in the outer `WHERE`, which
     * PostgreSQL re-checks on the locked row, so two dispatchers never both win one endpoint.
     */
    const claimDue = Effect.fn("leadq/store/WebhookDeliveries.claimDue")(
      function*(owner: string, now: number, lease_ms: number, limit: number) {
        const rows = yield* sql<{ endpoint_id: string; fence: number }>`UPDATE webhook_dispatch
          SET owner = ${owner}, lease_until = ${now + lease_ms}, fence = fence + 1
          WHERE endpoint_id IN (
            SELECT d.endpoint_id FROM webhook_dispatch d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.due_at <= ${now} AND (d.owner IS NULL OR d.lease_until < ${now})
              AND e.deleted_at IS NULL AND e.enabled = 1
            ORDER BY d.due_at LIMIT ${limit}
          ) AND due_at <= ${now} AND (owner IS NULL OR lease_until < ${now})
          RETURNING endpoint_id, fence`
        return rows.map((r): Claim => ({ endpoint_id: r.endpoint_id, owner, fence: Number(r.fence) }))
      },
      Effect.orDie
    )

    /** Extends the claim; `ClaimLost` when it is not ours any more. */
    const renew = Effect.fn("leadq/store/WebhookDeliveries.renew")(function*(claim: Claim, now: number, lease_ms: number) {
      const rows = yield* sql`UPDATE webhook_dispatch SET lease_until = ${now + lease_ms}
        WHERE endpoint_id = ${claim.endpoint_id} AND owner = ${claim.owner} AND fence = ${claim.fence}
        RETURNING endpoint_id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* new ClaimLost({ endpoint_id: claim.endpoint_id })
    })

    /** Gives the endpoint back, to be looked at again from `due_at`. */
    const release = Effect.fn("leadq/store/WebhookDeliveries.release")(function*(claim: Claim, due_at: number) {
      yield* sql`UPDATE webhook_dispatch SET owner = NULL, lease_until = 0, due_at = ${due_at}
        WHERE endpoint_id = ${claim.endpoint_id} AND owner = ${claim.owner} AND fence = ${claim.fence}`
    }, Effect.orDie)

    const endpoint = Effect.fn("leadq/store/WebhookDeliveries.endpoint")(function*(endpoint_id: string) {
      const rows = yield* sql`SELECT id, organization_id, url, events, secret, enabled, created_at, deleted_at
        FROM webhook_endpoints WHERE id = ${endpoint_id}`.pipe(Effect.orDie, Effect.flatMap(decode(EndpointRow)))
      return Option.fromNullable(rows[0])
    })

    /**
     * Reads the endpoint's next events from the outbox past its cursor and queues a delivery for
     * each it wants, in one transaction with the cursor's move. On PostgreSQL only events whose
     * writing transaction is older than every transaction still open are read
     * (`txid < pg_snapshot_xmin(pg_current_snapshot())`), in `(txid, seq)` order: a transaction
     * that commits later has a `txid` at or above that bound, so it can never land behind the
     * cursor. (`seq` alone would not do: a transaction may take a lower `seq` and commit after a
     * higher one.) On SQLite writers are serialized and `seq` is commit order. Answers how many
     * events were read: a full batch means more may follow at once.
     */
    const fanOut = Effect.fn("leadq/store/WebhookDeliveries.fanOut")(function*(claim: Claim, target: EndpointRow) {
      return yield* sql.withTransaction(Effect.gen(function*() {
        const [cursor] = yield* sql<{ cursor_txid: number; cursor_seq: number; last_position: number }>`SELECT
          cursor_txid, cursor_seq, last_position FROM webhook_dispatch
          WHERE endpoint_id = ${claim.endpoint_id} AND owner = ${claim.owner} AND fence = ${claim.fence}`.pipe(Effect.orDie)
        if (cursor === undefined) return yield* new ClaimLost({ endpoint_id: claim.endpoint_id })
        const events = yield* (isPg
          ? sql`SELECT seq, id, type, created_at, txid::text::bigint AS txid FROM outbox_events
              WHERE organization_id = ${target.organization_id}
                AND (txid, seq) > (${String(cursor.cursor_txid)}::text::xid8, ${cursor.cursor_seq})
                AND txid < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY txid, seq LIMIT ${FAN_OUT_BATCH}`
          : sql`SELECT seq, id, type, created_at, 0 AS txid FROM outbox_events
              WHERE organization_id = ${target.organization_id} AND seq > ${cursor.cursor_seq}
              ORDER BY seq LIMIT ${FAN_OUT_BATCH}`).pipe(Effect.orDie, Effect.flatMap(decode(OutboxRow)))
        if (events.length === 0) return 0
        const wanted = new Set(target.events)
        let position = Number(cursor.last_position)
        const deliveries = events
          .filter((e) => wanted.has(e.type) && e.created_at >= target.created_at)
          .map((e) => ({
            id: `dlv_${randomToken()}`,
            endpoint_id: target.id,
            organization_id: target.organization_id,
            event_id: e.id,
            event_type: e.type,
            position: ++position,
            status: "pending",
            attempts: 0,
            // A delivery's life is counted from its event, so a backlog does not stretch it.
            queued_at: e.created_at,
            next_attempt_at: e.created_at
          }))
        if (deliveries.length > 0) {
          yield* sql`INSERT INTO webhook_deliveries ${sql.insert(deliveries)} ON CONFLICT (endpoint_id, event_id) DO NOTHING`.pipe(Effect.orDie)
        }
        const last = events[events.length - 1]!
        const moved = yield* sql`UPDATE webhook_dispatch SET cursor_txid = ${last.txid}, cursor_seq = ${last.seq}, last_position = ${position}
          WHERE endpoint_id = ${claim.endpoint_id} AND owner = ${claim.owner} AND fence = ${claim.fence}
          RETURNING endpoint_id`.pipe(Effect.orDie)
        if (moved.length === 0) return yield* new ClaimLost({ endpoint_id: claim.endpoint_id })
        return events.length
      })).pipe(Effect.catchTag("SqlError", Effect.die))
    })

    /** The first `limit` pending deliveries in the endpoint's order, due or not. */
    const heads = Effect.fn("leadq/store/WebhookDeliveries.heads")(function*(endpoint_id: string, limit: number) {
      return yield* sql`SELECT d.id, d.event_id, d.event_type, d.attempts, d.queued_at, d.next_attempt_at,
          o.payload, o.created_at AS event_created_at
        FROM webhook_deliveries d LEFT JOIN outbox_events o ON o.id = d.event_id
        WHERE d.endpoint_id = ${endpoint_id} AND d.status = 'pending'
        ORDER BY d.position LIMIT ${limit}`.pipe(Effect.orDie, Effect.flatMap(decode(HeadRow)))
    })

    /**
     * Writes what attempts came to, in one transaction, for those still pending — and only if the
     * claim is still ours. Several attempts are written together because each write is a commit
     * (a flush to disk): an attempt made but not yet written is simply made again after a crash
     * (at least once; receivers de-duplicate by event id).
     */
    const recordAttempts = Effect.fn("leadq/store/WebhookDeliveries.recordAttempts")(
      function*(claim: Claim, attempts: ReadonlyArray<{ readonly delivery_id: string; readonly outcome: AttemptOutcome }>) {
        if (attempts.length === 0) return 0
        return yield* sql.withTransaction(Effect.gen(function*() {
          let written = 0
          for (const { delivery_id, outcome } of attempts) {
            const status = outcome._tag === "retry" ? "pending" : outcome._tag
            const error = outcome._tag === "delivered" ? null : outcome.error.slice(0, 500)
            const next = outcome._tag === "retry" ? outcome.next_at : outcome.at
            const completed = outcome._tag === "retry" ? null : outcome.at
            const rows = yield* sql`UPDATE webhook_deliveries SET status = ${status}, attempts = attempts + 1,
                last_attempt_at = ${outcome.at}, response_status = ${outcome.status}, last_error = ${error},
                next_attempt_at = ${next}, completed_at = ${completed}
              WHERE id = ${delivery_id} AND status = 'pending' AND ${held(claim)}
              RETURNING id`
            written += rows.length
          }
          return written
        }))
      },
      Effect.orDie
    )

    /** An endpoint's deliveries, newest first, a page at a time. */
    const list = Effect.fn("leadq/store/WebhookDeliveries.list")(
      function*(endpoint_id: string, options: { readonly status?: DeliveryStatus | undefined; readonly limit: number; readonly offset: number }) {
        const filter = options.status === undefined ? sql`` : sql`AND status = ${options.status}`
        const rows = yield* sql`SELECT id, endpoint_id, event_id, event_type, position, status, attempts, queued_at,
            next_attempt_at, last_attempt_at, response_status, last_error, completed_at
          FROM webhook_deliveries WHERE endpoint_id = ${endpoint_id} ${filter}
          ORDER BY position DESC LIMIT ${options.limit} OFFSET ${options.offset}`.pipe(Effect.flatMap(decode(DeliveryRow)))
        const [count] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ${endpoint_id} ${filter}`
        return { rows, total: Number(count?.n ?? 0) }
      },
      Effect.orDie
    )

    /**
     * Queues a delivery again (docs/webhooks.md "Deliveries API"): the same delivery, the same
     * event id, back to `pending` and due now, with a fresh retry life from now; it keeps its
     * place in the endpoint's order, so it goes before events queued after it. The endpoint is
     * made due at once.
     */
    const resend = Effect.fn("leadq/store/WebhookDeliveries.resend")(function*(endpoint_id: string, delivery_id: string, now: number) {
      const rows = yield* sql.withTransaction(Effect.gen(function*() {
        const updated = yield* sql`UPDATE webhook_deliveries SET status = 'pending', queued_at = ${now}, next_attempt_at = ${now},
            completed_at = NULL
          WHERE id = ${delivery_id} AND endpoint_id = ${endpoint_id}
          RETURNING id, endpoint_id, event_id, event_type, position, status, attempts, queued_at,
            next_attempt_at, last_attempt_at, response_status, last_error, completed_at`
        if (updated.length > 0) yield* sql`UPDATE webhook_dispatch SET due_at = ${now} WHERE endpoint_id = ${endpoint_id}`
        return updated
      })).pipe(Effect.orDie, Effect.flatMap(decode(DeliveryRow)))
      return Option.fromNullable(rows[0])
    })

    /**
     * Retention (docs/webhooks.md "Settings"): delivered and failed deliveries completed before
     * `before`, and outbox events older than `before` that no pending delivery still needs.
     */
    const prune = Effect.fn("leadq/store/WebhookDeliveries.prune")(function*(before: number) {
      const deliveries = yield* sql`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < ${before} RETURNING id`
      const events = yield* sql`DELETE FROM outbox_events WHERE created_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id AND d.status = 'pending')
        RETURNING id`
      return { deliveries: deliveries.length, events: events.length }
    }, Effect.orDie)

    return { ensureDispatchRows: (now: number) => Effect.orDie(ensureDispatchRows(now)), claimDue, renew, release, endpoint, fanOut, heads, recordAttempts, list, resend, prune } as const
  })
}) {}
