import { formatViolations, runRace } from "@leadq/history"
import { Effect } from "effect"
import { parseArgs } from "node:util"

/**
 * The randomized race of tools/history at scale (issue 6): by default 100 campaigns × 100 leads,
 * 4 worker processes on PostgreSQL, 8 clients removing, pausing, resuming, cancelling and adding
 * for 60 s, one worker killed with SIGKILL midway; then the whole history through the checker.
 *
 *   pnpm --filter @leadq/chaos scale-race [--campaigns 100] [--leads 100] [--workers 4] [--clients 8]
 *                                          [--seconds 60] [--seed N] [--no-kill] [--engine pg|sqlite]
 *
 * Prints what was checked and every violation; exits 1 on any violation or counter mismatch.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "pg" },
    campaigns: { type: "string", default: "100" },
    leads: { type: "string", default: "100" },
    workers: { type: "string", default: "4" },
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "60" },
    seed: { type: "string" },
    "no-kill": { type: "boolean", default: false }
  }
})

const engine = values.engine === "sqlite" ? "sqlite" : "pg"
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const started = Date.now()
const say = (line: string) => console.log(`scale-race +${((Date.now() - started) / 1000).toFixed(0)} s: ${line}`)
say(`engine=${engine} seed=${seed} ${values.campaigns} campaigns × ${values.leads} leads, ${values.workers} workers, ${values.clients} clients, ${values.seconds} s`)

const program = Effect.scoped(
  runRace({
    engine,
    seed,
    workers: engine === "pg" ? { mode: "processes", count: Number(values.workers), killOne: !values["no-kill"] } : { mode: "in-process" },
    campaigns: Number(values.campaigns),
    leadsPerCampaign: Number(values.leads),
    opsMs: Number(values.seconds) * 1000,
    clients: Number(values.clients),
    progress: say,
    // Enough calls at once for 10,000 leads to drain in a few minutes.
    workerEnv: { LEADQ_MAX_IN_FLIGHT: "50" },
    drainTimeoutMs: 600_000,
    snapshotEveryMs: 2_000
  })
)

Effect.runPromise(program).then(
  (r) => {
    const rows = r.history.snapshots.reduce((n, s) => n + s.leads.length + s.call_logs.length + s.removals.length, 0)
    say("done")
    console.log(JSON.stringify(r.stats, null, 2))
    console.log(
      `checked: ${r.history.operations.length} client operations, ${r.history.ledger.length} ledger lines ` +
        `(${r.stats["dials"]} dials), ${r.history.snapshots.length} snapshots (${rows} rows), ${r.history.crashes?.length ?? 0} crash(es), ` +
        `${r.history.tenancy?.requests.length ?? 0} tenancy probes`
    )
    console.log(formatViolations(r.history, r.violations))
    for (const m of r.counterMismatches) console.log(`counter mismatch: ${m}`)
    process.exit(r.violations.length === 0 && r.counterMismatches.length === 0 ? 0 : 1)
  },
  (e) => {
    console.error(`scale-race failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
