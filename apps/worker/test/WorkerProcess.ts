import { layerFromUrl, parseDatabaseUrl, StoreLive } from "@leadq/store"
import type { Engine } from "@leadq/store/testing"
import { freshDatabaseUrl } from "@leadq/store/testing"
import type { Scope } from "effect"
import { Effect, Either, Layer } from "effect"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The built worker, as `pnpm worker` runs it. */
export const WORKER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js")

export interface WorkerProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly signal: (signal: NodeJS.Signals) => void
}

/** Start `node apps/worker/dist/main.js` with this environment; killed at the end of the scope. */
export const spawnWorker = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): WorkerProcess => {
      const child = spawn(process.execPath, [WORKER_MAIN], {
        env: { ...process.env, NODE_OPTIONS: "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")))
      child.stderr!.on("data", (b: Buffer) => (out += b.toString("utf8")))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal }))
      )
      return { child, pid: child.pid!, output: () => out, exited, signal: (s) => child.kill(s) }
    }),
    (w) =>
      Effect.promise(async () => {
        if (w.child.exitCode === null && w.child.signalCode === null) {
          w.child.kill("SIGCONT")
          w.child.kill("SIGKILL")
          await w.exited
        }
      })
  )

/** The environment of a worker process in these tests: short leases and calls, a shared ledger. */
export const workerEnv = (options: {
  readonly databaseUrl: string
  readonly ledger: string
  readonly workerId: string
  readonly extra?: Record<string, string>
}): Record<string, string> => ({
  DATABASE_URL: options.databaseUrl,
  LEADQ_WORKER_ID: options.workerId,
  LEADQ_SIM_LEDGER: options.ledger,
  LEADQ_LEASE_MS: "1500",
  LEADQ_POLL_INTERVAL_MS: "100",
  LEADQ_SWEEP_INTERVAL_MS: "200",
  LEADQ_SIM_RING_MS: "200",
  LEADQ_SIM_DURATION_MS: "1000",
  LEADQ_SHUTDOWN_GRACE_MS: "5000",
  ...options.extra
})

const storeAt = (url: string) => {
  const parsed = parseDatabaseUrl(url)
  if (Either.isLeft(parsed)) throw new Error(parsed.left)
  return StoreLive.pipe(Layer.provideMerge(layerFromUrl(parsed.right)))
}

/**
 * A fresh database and ledger file for worker processes; the body runs with the store open on
 * that database in the test process, to seed it and read it.
 */
export const withDatabase = <A, E>(
  engine: Engine,
  body: (env: { databaseUrl: string; ledger: string }) => Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof storeAt>> | Scope.Scope>
) =>
  Effect.scoped(Effect.gen(function*() {
    const databaseUrl = yield* freshDatabaseUrl(engine)
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "leadq-proc-"))),
      (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
    )
    const ledger = path.join(dir, "ledger.jsonl")
    return yield* Effect.scoped(Effect.provide(body({ databaseUrl, ledger }), storeAt(databaseUrl)))
  }))
