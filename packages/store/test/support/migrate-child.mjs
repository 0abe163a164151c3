// One "process starting up": open the database named on the command line (which runs the
// migrations), then print the migration ids it sees. Runs the built package, like a real app.
import { Effect, Layer } from "effect"
import { SqlClient } from "@effect/sql"
import { layerFromUrl, parseDatabaseUrl } from "../../dist/index.js"

const url = process.argv[2]
const parsed = parseDatabaseUrl(url)
if (parsed._tag === "Left") throw new Error(parsed.left)
const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT id FROM leadq_migrations ORDER BY id`
  process.stdout.write(JSON.stringify(rows.map((r) => Number(r.id))) + "\n")
}).pipe(Effect.provide(layerFromUrl(parsed.right, { maxConnections: 2 })))
await Effect.runPromise(program)
