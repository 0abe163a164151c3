import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { migrations, parseDatabaseUrl } from "../src/index.js"
import { freshDatabaseUrl, testEngines } from "../src/testing/index.js"

const child = fileURLToPath(new URL("./support/migrate-child.mjs", import.meta.url))

/** Start a real process that opens (and so migrates) the database; its view of the migrations. */
const startProcess = (url: string) =>
  Effect.async<ReadonlyArray<number>, Error>((resume) => {
    execFile(process.execPath, [child, url], { timeout: 60_000 }, (error, stdout, stderr) =>
      resume(error ? Effect.fail(new Error(`${error.message}\n${stderr}`)) : Effect.succeed(JSON.parse(stdout.trim().split("\n").at(-1)!))))
  })

const engines = await testEngines()

describe("migrations", () => {
  for (const engine of engines) {
    it.live(`${engine}: several processes starting at once migrate once, and all come up`, () =>
      Effect.scoped(
        Effect.gen(function*() {
          const url = yield* freshDatabaseUrl(engine)
          // Four processes race to migrate the same empty database; all come up on the same schema.
          const seen = yield* Effect.all(Array.from({ length: 4 }, () => startProcess(url)), { concurrency: "unbounded" })
          for (const ids of seen) expect(ids).toEqual(migrations.map(([id]) => id))
        })
      ))
  }

  it("DATABASE_URL forms are validated with a clear message", () => {
    expect(parseDatabaseUrl("postgres://u@h:5432/db")).toEqual(Either.right({ engine: "pg", url: "postgres://u@h:5432/db" }))
    expect(parseDatabaseUrl("sqlite:./data/x.db")).toEqual(Either.right({ engine: "sqlite", filename: "./data/x.db" }))
    expect(parseDatabaseUrl("/var/lib/leadq.sqlite")).toEqual(Either.right({ engine: "sqlite", filename: "/var/lib/leadq.sqlite" }))
    const bad = parseDatabaseUrl("mysql://root:secret@h/db")
    expect(Either.isLeft(bad) && bad.left).toMatch(/DATABASE_URL must be postgres:\/\/.* got "mysql:\/\/root:\*\*\*@h\/db"/)
  })
})
