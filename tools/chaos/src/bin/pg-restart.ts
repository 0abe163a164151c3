import { formatViolations } from "@leadq/history"
import { pgAdminUrl } from "@leadq/store/testing"
import { Effect } from "effect"
import { parseArgs } from "node:util"
import type { Fault } from "../CrashRun.js"
import { runCrash } from "../CrashRun.js"
import { ensureRunning, findCluster, restartCluster } from "../PgCluster.js"

/**
 * PostgreSQL restarted under load (issue 6, the crash matrix's third column): a gateway and worker
 * processes on PostgreSQL, clients acting through the API, and at seeded random moments
 * `pg_ctlcluster --skip-systemctl-redirect <version> <cluster> restart` — every connection cut.
 * Optionally workers and the gateway are killed with SIGKILL too. Then the run drains and the
 * history is checked: nothing acknowledged lost, no attempt dialled twice, every log settled.
 *
 *   pnpm --filter @leadq/chaos pg-restart [--restarts 2] [--seconds 40] [--worker-kills 0] [--gateway-kills 0] [--seed N]
 *
 * It restarts the PostgreSQL server named by LEADQ_TEST_PG_URL (default 127.0.0.1:5432): other
 * connections to it (other test suites) are cut too. Run it on a machine nobody else is testing
 * on. The server is started again when the script ends, however it ends (also on Ctrl-C).
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    restarts: { type: "string", default: "2" },
    seconds: { type: "string", default: "40" },
    "worker-kills": { type: "string", default: "0" },
    "gateway-kills": { type: "string", default: "0" },
    campaigns: { type: "string", default: "4" },
    leads: { type: "string", default: "30" },
    workers: { type: "string", default: "2" },
    clients: { type: "string", default: "4" },
    seed: { type: "string" }
  }
})

const cluster = findCluster(Number(new URL(pgAdminUrl).port || 5432))
const restore = () => {
  try {
    ensureRunning(cluster)
  } catch (e) {
    console.error(`pg-restart: could not start PostgreSQL ${cluster.version}/${cluster.name} again: ${String(e)}`)
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    restore()
    process.exit(130)
  })
}
process.on("exit", restore)

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const faults: Array<{ kind: Fault; times: number }> = [
  { kind: "restart-pg", times: Number(values.restarts) },
  { kind: "kill-worker", times: Number(values["worker-kills"]) },
  { kind: "kill-gateway", times: Number(values["gateway-kills"]) }
]
console.log(`pg-restart: PostgreSQL ${cluster.version}/${cluster.name} on port ${cluster.port}, seed=${seed} ${JSON.stringify(faults)}`)

const program = Effect.scoped(runCrash({
  engine: "pg",
  seed,
  campaigns: Number(values.campaigns),
  leadsPerCampaign: Number(values.leads),
  opsMs: Number(values.seconds) * 1000,
  clients: Number(values.clients),
  workers: Number(values.workers),
  faults,
  restartPg: async () => {
    try {
      restartCluster(cluster)
    } finally {
      restore()
    }
  },
  progress: (line) => console.log(`pg-restart: ${line}`)
})).pipe(Effect.ensuring(Effect.sync(restore)))

Effect.runPromise(program).then(
  (r) => {
    console.log(JSON.stringify(r.stats, null, 2))
    console.log(`timeline:\n  ${r.timeline.join("\n  ")}`)
    console.log(`checked: ${r.history.operations.length} client operations, ${r.history.ledger.length} ledger lines, ${r.history.snapshots.length} snapshots`)
    console.log(formatViolations(r.history, r.violations))
    for (const l of r.lost) console.log(`lost: ${l}`)
    // What the processes logged as errors while the database was away, counted by message.
    const errors = new Map<string, number>()
    for (const line of r.output().split("\n")) {
      if (!/"logLevel":"(ERROR|FATAL)"/.test(line)) continue
      try {
        const entry = JSON.parse(line) as { message?: unknown; cause?: unknown }
        const cause = String(entry.cause ?? "").split("\n").find((l) => /\[cause\]|Error:/.test(l))?.trim() ?? ""
        const key = `${String(entry.message)} — ${cause.slice(0, 120)}`
        errors.set(key, (errors.get(key) ?? 0) + 1)
      } catch {
        errors.set(line.slice(0, 160), (errors.get(line.slice(0, 160)) ?? 0) + 1)
      }
    }
    if (errors.size > 0) console.log(`errors the processes logged:\n${[...errors].map(([k, n]) => `  ${n} × ${k}`).join("\n")}`)
    process.exit(r.violations.length === 0 && r.lost.length === 0 ? 0 : 1)
  },
  (e) => {
    console.error(`pg-restart run failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
