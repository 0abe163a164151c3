import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import Sqlite from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * The SQLite engine: SQLite's client and its settings. Loaded by `Database.ts` only when the
 * URL names SQLite, so a PostgreSQL process never loads better-sqlite3 or its client.
 *
 * WAL with `synchronous=FULL` — an acknowledged removal is a promise not to call someone, so
 * it must survive a power loss, and nothing answers before its commit. One connection (SQLite
 * has one writer); a busy timeout for the rare second process on the file.
 */
export const layer = (filename: string): Layer.Layer<SqlClient.SqlClient> =>
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
      const settings = Layer.effectDiscard(
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`PRAGMA busy_timeout = 10000`
          yield* sql`PRAGMA synchronous = FULL`
          yield* sql`PRAGMA foreign_keys = ON`
          // 32 MiB of page cache (the default is 2 MiB): lead ids are random, so lookups by id touch
          // pages all over the file, and a small cache turns each into a read from the OS.
          yield* sql`PRAGMA cache_size = -32768`
        }).pipe(Effect.orDie)
      )
      return settings.pipe(Layer.provideMerge(client), Layer.orDie)
    })
  )
