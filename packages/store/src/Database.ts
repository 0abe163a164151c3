import type * as SqlClient from "@effect/sql/SqlClient"
import type * as PgClient from "@effect/sql-pg/PgClient"
import { Config, ConfigError, Context, Effect, Either, Layer } from "effect"
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
 * Each engine's modules (its driver and Effect client) are imported when its layer is built, not
 * when this module is: a process runs on one engine, and loading both cost every process the
 * memory of the other's driver and client.
 */
const engineLayer = <A>(load: () => Promise<Layer.Layer<A>>): Layer.Layer<A> =>
  Layer.unwrapEffect(Effect.promise(load))

/** The engine's client, migrated, with the `Database` description beside it. */
const migrated = <A extends SqlClient.SqlClient>(client: Layer.Layer<A>, database: Database["Type"]) =>
  Layer.mergeAll(Layer.effectDiscard(migrate), Layer.succeed(Database, database)).pipe(
    Layer.provideMerge(client),
    Layer.orDie
  )

/** SQLite on `filename` (settings in `SqliteDatabase.ts`), migrated. */
export const layerSqlite = (filename: string): Layer.Layer<SqlClient.SqlClient | Database> =>
  migrated(
    engineLayer(() => import("./SqliteDatabase.js").then((engine) => engine.layer(filename))),
    { engine: "sqlite", location: filename }
  )

/** PostgreSQL at `url` (client settings in `PgDatabase.ts`), migrated; 10 pooled connections unless told. */
export const layerPg = (
  url: string,
  options?: { readonly maxConnections?: number | undefined }
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | Database> =>
  migrated(
    engineLayer(() => import("./PgDatabase.js").then((engine) => engine.layer(url, options?.maxConnections ?? 10))),
    { engine: "pg", location: redactUrl(url) }
  )

export const layerFromUrl = (url: DatabaseUrl, options?: { readonly maxConnections?: number | undefined }) =>
  url.engine === "pg" ? layerPg(url.url, options) : layerSqlite(url.filename)

/** The database named by `DATABASE_URL` (validated at start-up), migrated and ready. */
export const DatabaseLive: Layer.Layer<SqlClient.SqlClient | Database, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(DatabaseUrlConfig, (url) => layerFromUrl(url) as Layer.Layer<SqlClient.SqlClient | Database>)
)
