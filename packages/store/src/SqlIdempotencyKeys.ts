import * as SqlClient from "@effect/sql/SqlClient"
import type { IdempotencyClaim, IdempotencyClaimInput, StoredAnswer } from "@leadq/domain"
import { IdempotencyKeys, randomToken } from "@leadq/domain"
import { Effect, Layer, Schema } from "effect"
import { findAll, orDieOnSql } from "./Sql.js"

const ClaimedRow = Schema.Struct({ claim_token: Schema.NullOr(Schema.String) })

const TakenRow = Schema.Struct({
  fingerprint: Schema.String,
  response_status: Schema.NullOr(Schema.Number),
  response_headers: Schema.NullOr(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.String }))),
  response_body: Schema.NullOr(Schema.String)
})

/** A key released between our failed claim and our read is claimed again, this many times at most. */
const CLAIM_ATTEMPTS = 3

/**
 * The `Idempotency-Key`s of every gateway on the database (migration 0005). A claim is one
 * statement, atomic on both engines: `INSERT … ON CONFLICT DO UPDATE … WHERE` inserts the key, or
 * takes over a row that is expired (or abandoned in flight under the same fingerprint), and
 * returns the row only when this request now holds it; of two requests racing on one key, exactly
 * one gets a row back. The loser reads the row to learn whose it is. Completing and releasing are
 * conditional on the claim's token, so a request whose claim was taken over writes nothing.
 */
export const makeIdempotencyKeys = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const claim = Effect.fn("leadq/IdempotencyKeys.claim")(function*(input: IdempotencyClaimInput) {
    const { organizationId, fingerprint, key, now } = input
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const token = randomToken(16)
      const claimed = yield* findAll(
        ClaimedRow,
        sql`INSERT INTO idempotency_keys ${
          sql.insert({ organization_id: organizationId, idempotency_key: key, fingerprint, claim_token: token, created_at: now })
        }
          ON CONFLICT (organization_id, idempotency_key) DO UPDATE SET
            fingerprint = excluded.fingerprint, claim_token = excluded.claim_token, created_at = excluded.created_at,
            response_status = NULL, response_headers = NULL, response_body = NULL
          WHERE idempotency_keys.created_at <= ${now - input.ttlMs}
            OR (idempotency_keys.claim_token IS NOT NULL AND idempotency_keys.fingerprint = excluded.fingerprint
              AND idempotency_keys.created_at <= ${now - input.abandonedAfterMs})
          RETURNING claim_token`
      )
      if (claimed[0]?.claim_token === token) return { _tag: "Claimed", token } satisfies IdempotencyClaim
      const [taken] = yield* findAll(
        TakenRow,
        sql`SELECT fingerprint, response_status, response_headers, response_body FROM idempotency_keys
          WHERE organization_id = ${organizationId} AND idempotency_key = ${key}`
      )
      // Released (its request failed with a 5xx) between the two statements: try again.
      if (taken === undefined) continue
      const answer: StoredAnswer | undefined = taken.response_status === null
        ? undefined
        : {
          status: taken.response_status,
          headers: taken.response_headers ?? {},
          body: Buffer.from(taken.response_body ?? "", "base64")
        }
      return { _tag: "Taken", fingerprint: taken.fingerprint, answer } satisfies IdempotencyClaim
    }
    // Released and claimed by others three times over: the key is busy.
    return { _tag: "Taken", fingerprint: input.fingerprint, answer: undefined } satisfies IdempotencyClaim
  }, orDieOnSql)

  const complete = Effect.fn("leadq/IdempotencyKeys.complete")(
    function*(organizationId: string, key: string, token: string, answer: StoredAnswer) {
      yield* sql`UPDATE idempotency_keys SET claim_token = NULL, response_status = ${answer.status},
          response_headers = ${JSON.stringify(answer.headers)}, response_body = ${Buffer.from(answer.body).toString("base64")}
        WHERE organization_id = ${organizationId} AND idempotency_key = ${key} AND claim_token = ${token}`
    },
    orDieOnSql
  )

  const release = Effect.fn("leadq/IdempotencyKeys.release")(function*(organizationId: string, key: string, token: string) {
    yield* sql`DELETE FROM idempotency_keys
      WHERE organization_id = ${organizationId} AND idempotency_key = ${key} AND claim_token = ${token}`
  }, orDieOnSql)

  const prune = Effect.fn("leadq/IdempotencyKeys.prune")(function*(now: number, ttlMs: number) {
    const rows = yield* sql`DELETE FROM idempotency_keys WHERE created_at <= ${now - ttlMs} RETURNING created_at`
    return rows.length
  }, orDieOnSql)

  return IdempotencyKeys.of({ claim, complete, release, prune })
})

export const IdempotencyKeysLive: Layer.Layer<IdempotencyKeys, never, SqlClient.SqlClient> = Layer.effect(
  IdempotencyKeys,
  makeIdempotencyKeys
)
