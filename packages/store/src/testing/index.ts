import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import type { Database } from "../Database.js"
import { layerFromUrl, parseDatabaseUrl } from "../Database.js"
import { CallOutcome, randomToken } from "@leadq/domain"

/**
 * Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the server
 * named by `LEADQ_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`), dropped
 * afterwards, so runs and suites never see each other's rows.
 *
 * PostgreSQL suites run when the server answers. Under `CI=true` an unreachable server is a
 * failure, never a skip.
 */
export type Engine = "sqlite" | "pg"

export const pgAdminUrl = process.env["LEADQ_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

let pgReachable: Promise<boolean> | undefined

export const isPgReachable = (): Promise<boolean> => {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: pgAdminUrl, connectionTimeoutMillis: 3000 })
    try {
      await client.connect()
      await client.query("SELECT 1")
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => undefined)
    }
  })()
  return pgReachable
}

/** The engines this run covers: SQLite always, PostgreSQL when reachable (required under CI). */
export const testEngines = async (): Promise<ReadonlyArray<Engine>> => {
  if (await isPgReachable()) return ["sqlite", "pg"]
  if (process.env["CI"] === "true") {
    throw new Error(`PostgreSQL is not reachable at ${pgAdminUrl}; under CI=true the PostgreSQL suites must run`)
  }
  process.stderr.write(`[leadq tests] PostgreSQL not reachable at ${pgAdminUrl}: running the SQLite suites only\n`)
  return ["sqlite"]
}

const admin = async <A>(f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: pgAdminUrl })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

/** Statements run in order on the PostgreSQL test server as its administrator (tests that take a database away). */
export const pgAdminStatements = (...statements: ReadonlyArray<string>) =>
  Effect.promise(() =>
    admin(async (client) => {
      for (const statement of statements) await client.query(statement)
    })
  )

/** A fresh, empty database of that engine for the life of the scope; its `DATABASE_URL`. */
export const freshDatabaseUrl = (engine: Engine) =>
  engine === "sqlite"
    ? Effect.acquireRelease(
      Effect.sync(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-test-"))
        return { url: `sqlite:${path.join(dir, "leadq.db")}`, dir }
      }),
      ({ dir }) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    ).pipe(Effect.map(({ url }) => url))
    : Effect.acquireRelease(
      Effect.promise(async () => {
        const name = `leadq_t_${randomToken(12)}`
        await admin((c) => c.query(`CREATE DATABASE ${name}`))
        return name
      }),
      (name) => Effect.promise(() => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))).pipe(Effect.ignore)
    ).pipe(Effect.map((name) => withDatabase(pgAdminUrl, name)))

/** A migrated database of that engine, as a layer: what store and API suites run on. */
export const testDatabaseLayer = (engine: Engine): Layer.Layer<SqlClient.SqlClient | Database> =>
  Layer.unwrapScoped(
    Effect.flatMap(freshDatabaseUrl(engine), (url) =>
      Either.match(parseDatabaseUrl(url), {
        onLeft: (message) => Effect.dieMessage(message),
        onRight: (parsed) => Effect.succeed(layerFromUrl(parsed, { maxConnections: 20 }) as Layer.Layer<SqlClient.SqlClient | Database>)
      }))
  )

/**
 * How a call ended, for tests that stage calls: the end reason a carrier gives for that status,
 * `durationSeconds` of talk for a completed call (none otherwise), ended at `now`.
 */
export const testOutcome = (status: CallOutcome["status"], durationSeconds: number, now: number) =>
  new CallOutcome({
    status,
    end_reason: status === "completed"
      ? "user_disconnected"
      : status === "busy"
      ? "user_busy"
      : status === "no_answer"
      ? "user_did_not_pick_up"
      : "network_failure",
    connected_at: status === "completed" ? new Date(now - durationSeconds * 1000) : null,
    ended_at: new Date(now),
    duration_seconds: status === "completed" ? durationSeconds : 0
  })
