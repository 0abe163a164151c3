import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * The `Idempotency-Key`s of every organization (SqlIdempotencyKeys.ts; docs/api.md,
 * "Idempotency"). One row per organization and key: the request's fingerprint and, while it runs,
 * the token of the claim holding it (`claim_token`, NULL once answered); then its first answer —
 * status, the endpoint's headers as a JSON object and the body in base64 (text on both engines,
 * byte for byte). `created_at` (epoch ms) is when the key was first claimed; rows older than 24 h
 * are pruned, hence the index.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE idempotency_keys (
    organization_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    claim_token TEXT,
    response_status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
  )`
  yield* sql`CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)`
})
