import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { NodeChild } from "../processes/ChildProcesses.js"
import { spawnNode } from "../processes/ChildProcesses.js"

/** The built worker, as `pnpm worker` runs it (build it first: `tsc -b apps/worker/tsconfig.lib.json`). */
export const WORKER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "apps", "worker", "dist", "main.js")

/**
 * A worker's environment in a race or crash run: the simulated carrier writing `ledgerPath`,
 * short rings and calls, a short lease and sweep so that a killed worker's leads are taken over
 * within the run, and at most 4 calls in flight.
 */
export const simulatedWorkerEnv = (o: { databaseUrl: string; ledgerPath: string; leaseMs: number; sweepMs: number }): Record<string, string> => ({
  DATABASE_URL: o.databaseUrl,
  LEADQ_SIM_LEDGER: o.ledgerPath,
  LEADQ_LEASE_MS: String(o.leaseMs),
  LEADQ_POLL_INTERVAL_MS: "100",
  LEADQ_SWEEP_INTERVAL_MS: String(o.sweepMs),
  LEADQ_SIM_RING_MS: "100",
  LEADQ_SIM_DURATION_MS: "500",
  LEADQ_MAX_IN_FLIGHT: "4",
  LEADQ_SHUTDOWN_GRACE_MS: "5000"
})

export interface WorkerProcess extends NodeChild {
  readonly id: string
}

/** `node apps/worker/dist/main.js` with this worker id and environment (over the parent's). */
export const startWorkerProcess = (id: string, env: Record<string, string>): WorkerProcess => ({
  ...spawnNode([WORKER_MAIN], { LEADQ_WORKER_ID: id, ...env }),
  id
})
