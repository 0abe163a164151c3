import type * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Duration, Layer, Redacted } from "effect"
import pg from "pg"

/**
 * The PostgreSQL engine: its client, with a pool of `maxConnections`. Loaded by `Database.ts`
 * only when the URL names PostgreSQL, so a SQLite process never loads `pg` or its client.
 */

/** PostgreSQL's int8 (BIGINT, count(*)) as a JS number: our values are epoch ms and counts. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"]
}

export const layer = (url: string, maxConnections: number): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient> =>
  PgClient.layer({
    url: Redacted.make(url),
    types: pgTypes,
    maxConnections,
    connectTimeout: Duration.seconds(10),
    applicationName: "leadq"
  }).pipe(Layer.orDie)
