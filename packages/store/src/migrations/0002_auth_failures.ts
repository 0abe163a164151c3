import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/**
 * Failed API key attempts, per client address and per key id, shared by every gateway on the
 * database (SqlAuthFailures.ts). One row per subject: the window it is in (opened at its first
 * failure, epoch ms) and the failures counted in it. Rows of ended windows are pruned.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE auth_failures (
    kind TEXT NOT NULL CHECK (kind IN ('address', 'key')),
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
  )`
  yield* sql`CREATE INDEX auth_failures_by_window ON auth_failures (window_start)`
})
