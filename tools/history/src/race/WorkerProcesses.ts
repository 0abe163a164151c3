import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { NodeChild } from "../processes/ChildProcesses.js"
import { spawnNode } from "../processes/ChildProcesses.js"

/** The built worker, as `pnpm worker` runs it (build it first: `tsc -b apps/worker/tsconfig.lib.json`). */
export const WORKER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "apps", "worker", "dist", "main.js")

export interface WorkerProcess extends NodeChild {
  readonly id: string
}

/** `node apps/worker/dist/main.js` with this worker id and environment (over the parent's). */
export const startWorkerProcess = (id: string, env: Record<string, string>): WorkerProcess => ({
  ...spawnNode([WORKER_MAIN], { LEADQ_WORKER_ID: id, ...env }),
  id
})
