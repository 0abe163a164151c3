import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The built worker, as `pnpm worker` runs it (build it first: `tsc -b apps/worker/tsconfig.lib.json`). */
export const WORKER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "apps", "worker", "dist", "main.js")

export interface WorkerProcess {
  readonly id: string
  readonly child: ChildProcess
  readonly exited: Promise<unknown>
  /** Everything it printed so far. */
  readonly output: () => string
  readonly alive: () => boolean
}

/** `node apps/worker/dist/main.js` with this worker id and environment (over the parent's). */
export const startWorkerProcess = (id: string, env: Record<string, string>): WorkerProcess => {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, NODE_OPTIONS: "", LEADQ_WORKER_ID: id, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  child.stderr!.on("data", (b: Buffer) => (out += b.toString("utf8")))
  return {
    id,
    child,
    exited: new Promise((r) => child.on("exit", r)),
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null
  }
}
