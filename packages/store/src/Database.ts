import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import Sqlite from "better-sqlite3"
import { migrate } from "./Migrations.js"

/** Which engine a process runs on, and where; for logs, `/healthz` and the few engine-aware paths. */
export class Database extends Context.Tag("leadq/store/Database")<Database, {
  readonly engine: "sqlite" | "pg"
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string
}>() {}

export type DatabaseUrl =
  | { readonly engine: "sqlite"; readonly filename: string }
  | { readonly engine: "pg"; readonly url: string }

export const DEFAULT_SQLITE_FILE = "./data/leadq.db"

/**
 * `DATABASE_URL`: unset means the embedded SQLite file `./data/leadq.db`; `postgres://…` or
 * `postgresql://…` selects PostgreSQL; `sqlite:PATH`, `file:PATH` or a path ending in `.db`,
 * `.sqlite` or `.sqlite3` is another SQLite file.
 */
export const parseDatabaseUrl = (raw: string): Either.Either<DatabaseUrl, string> => {
  const value = raw.trim()
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value)
    } catch {
      return Either.left(`DATABASE_URL is not a valid PostgreSQL URL: ${redactUrl(value)}`)
    }
    return Either.right({ engine: "pg", url: value })
  }
  const sqlite = value.match(/^(?:sqlite|file):(?:\/\/)?(.+)$/i)
  if (sqlite) return Either.right({ engine: "sqlite", filename: sqlite[1]! })
  if (/\.(db|sqlite|sqlite3)$/i.test(value) && !value.includes("://")) return Either.right({ engine: "sqlite", filename: value })
  return Either.left(
    `DATABASE_URL must be postgres://user@host:port/database or sqlite:PATH (or a path ending in .db), got "${redactUrl(value)}"`
  )
}

const redactUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

export const DatabaseUrlConfig: Config.Config<DatabaseUrl> = Config.string("DATABASE_URL").pipe(
  Config.withDefault(`sqlite:${DEFAULT_SQLITE_FILE}`),
  Config.mapOrFail((raw) =>
    Either.mapLeft(parseDatabaseUrl(raw), (message) => ConfigError.InvalidData(["DATABASE_URL"], message))
  )
)

/**
 * SQLite: WAL with `synchronous=FULL` — an acknowledged removal is a promise not to call
 * someone, so it must survive a power loss, and nothing answers before its commit. One
 * connection (SQLite has one writer); a busy timeout for the rare second process on the file.
 */
export const layerSqlite = (filename: string): Layer.Layer<SqlClient.SqlClient | Database> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      if (filename !== ":memory:") {
        fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true })
        // Switch the file to WAL once, with a busy timeout, before the client opens it: two
        // processes creating the same new file at once would otherwise race on that switch.
        const db = new Sqlite(filename, { timeout: 10_000 })
        try {
          db.pragma("journal_mode = WAL")
        } finally {
          db.close()
        }
      }
      const client = SqliteClient.layer({ filename, prepareCacheSize: 500 })
      const setup = Layer.effectDiscard(
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`PRAGMA busy_timeout = 10000`
          yield* sql`PRAGMA synchronous = FULL`
          yield* sql`PRAGMA foreign_keys = ON`
          // 32 MiB of page cache (the default is 2 MiB): lead ids are random, so lookups by id touch
          // pages all over the file, and a small cache turns each into a read from the OS.
          yield* sql`PRAGMA cache_size = -32768`
          yield* migrate
        }).pipe(Effect.orDie)
      )
      return Layer.mergeAll(setup, Layer.succeed(Database, { engine: "sqlite", location: filename })).pipe(
        Layer.provideMerge(client),
        Layer.orDie
      )
    })
  )

/** PostgreSQL's int8 (BIGINT, count(*)) as a JS number: our values are epoch ms and counts. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"]
}

export const layerPg = (
  url: string,
  options?: { readonly maxConnections?: number | undefined }
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | Database> => {
  const client = PgClient.layer({
    url: Redacted.make(url),
    types: pgTypes,
    maxConnections: options?.maxConnections ?? 10,
    connectTimeout: Duration.seconds(10),
    applicationName: "leadq"
  })
  const setup = Layer.effectDiscard(migrate)
  return Layer.mergeAll(setup, Layer.succeed(Database, { engine: "pg", location: redactUrl(url) })).pipe(
    Layer.provideMerge(client),
    Layer.orDie
  )
}

export const layerFromUrl = (url: DatabaseUrl, options?: { readonly maxConnections?: number | undefined }) =>
  url.engine === "pg" ? layerPg(url.url, options) : layerSqlite(url.filename)

/** The database named by `DATABASE_URL` (validated at start-up), migrated and ready. */
export const DatabaseLive: Layer.Layer<SqlClient.SqlClient | Database, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(DatabaseUrlConfig, (url) => layerFromUrl(url) as Layer.Layer<SqlClient.SqlClient | Database>)
)
