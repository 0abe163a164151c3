import { engineArg, formatViolations } from "@leadq/history"
import { Effect } from "effect"
import { parseArgs } from "node:util"
import type { Fault } from "../CrashRun.js"
import { runCrash } from "../CrashRun.js"

/**
 * The crash matrix, longer than the test suite runs it: kill -9 of workers and of the gateway (on
 * SQLite, of the one-process server) at seeded random moments under load.
 *
 *   pnpm --filter @leadq/chaos crash [--engine pg|sqlite] [--seconds 60] [--worker-kills 4]
 *                                     [--gateway-kills 3] [--campaigns 6] [--leads 40] [--seed N]
 *
 * Prints the timeline, what was checked and every violation; exits 1 on any.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "pg" },
    seconds: { type: "string", default: "60" },
    "worker-kills": { type: "string", default: "4" },
    "gateway-kills": { type: "string", default: "3" },
    campaigns: { type: "string", default: "6" },
    leads: { type: "string", default: "40" },
    workers: { type: "string", default: "3" },
    clients: { type: "string", default: "4" },
    seed: { type: "string" }
  }
})

const engine = engineArg(values.engine, "crash")
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const faults: Array<{ kind: Fault; times: number }> = [{ kind: "kill-gateway", times: Number(values["gateway-kills"]) }]
if (engine === "pg") faults.push({ kind: "kill-worker", times: Number(values["worker-kills"]) })
console.log(`crash: engine=${engine} seed=${seed} ${JSON.stringify(faults)}`)

Effect.runPromise(Effect.scoped(runCrash({
  engine,
  seed,
  campaigns: Number(values.campaigns),
  leadsPerCampaign: Number(values.leads),
  opsMs: Number(values.seconds) * 1000,
  clients: Number(values.clients),
  workers: Number(values.workers),
  faults,
  progress: (line) => console.log(`crash: ${line}`)
}))).then(
  (r) => {
    console.log(JSON.stringify(r.stats, null, 2))
    console.log(`checked: ${r.history.operations.length} client operations, ${r.history.ledger.length} ledger lines, ${r.history.snapshots.length} snapshots, ${r.history.crashes?.length ?? 0} worker crash(es)`)
    console.log(formatViolations(r.history, r.violations))
    for (const l of r.lost) console.log(`lost: ${l}`)
    process.exit(r.violations.length === 0 && r.lost.length === 0 ? 0 : 1)
  },
  (e) => {
    console.error(`crash run failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
