import { Effect } from "effect"
import { parseArgs } from "node:util"
import { formatViolations } from "../Check.js"
import { engineArg } from "../race/EngineArg.js"
import { runRace } from "../race/Race.js"

/**
 * The randomized race, longer than the test suite runs it:
 *
 *   pnpm --filter @leadq/history race --engine pg --workers 4 --seconds 60 [--seed N] [--no-kill] [--no-suppressions]
 *   pnpm --filter @leadq/history race --engine sqlite --seconds 60
 *
 * and at scale (issue 6), `pnpm --filter @leadq/chaos scale-race`: this program with 100 campaigns
 * × 100 leads, 4 workers, 8 clients for 60 s, 50 leads in flight per worker, 10 minutes to drain
 * and a snapshot every 2 s (any option given after it overrides).
 *
 * Prints the seed, what was checked and every violation; exits 1 on any violation or counter
 * mismatch. PostgreSQL is the one named by LEADQ_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test); each run gets a fresh database there, dropped afterwards.
 */
const { values } = parseArgs({
  // `pnpm race -- --engine pg` hands the "--" over too.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "pg" },
    workers: { type: "string", default: "3" },
    seconds: { type: "string", default: "30" },
    seed: { type: "string" },
    campaigns: { type: "string", default: "4" },
    leads: { type: "string", default: "50" },
    clients: { type: "string", default: "4" },
    "no-kill": { type: "boolean", default: false },
    /** The workload without shared numbers and suppressions (as before issue 11). */
    "no-suppressions": { type: "boolean", default: false },
    /** `LEADQ_MAX_IN_FLIGHT` of the worker processes (the race's own 4 when not given). */
    "max-in-flight": { type: "string" },
    "drain-seconds": { type: "string", default: "90" },
    "snapshot-ms": { type: "string", default: "700" }
  }
})

const engine = engineArg(values.engine, "race")
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const started = Date.now()
const say = (line: string) => console.log(`race +${((Date.now() - started) / 1000).toFixed(0)} s: ${line}`)
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
    workerEnv: values["max-in-flight"] === undefined ? undefined : { LEADQ_MAX_IN_FLIGHT: values["max-in-flight"] },
    drainTimeoutMs: Number(values["drain-seconds"]) * 1000,
    snapshotEveryMs: Number(values["snapshot-ms"]),
    suppressions: !values["no-suppressions"]
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
        `${r.history.tenancy?.requests.length ?? 0} tenancy probes, ` +
        `${r.stats["suppressions_ok"]! + r.stats["deletes_suppress_ok"]! + r.stats["bulk_suppress_ok"]!} requests that suppressed ` +
        `(${r.stats["suppressions_ok"]} POST /v1/suppressions, ${r.stats["deletes_suppress_ok"]} DELETE ?suppress=true, ` +
        `${r.stats["bulk_suppress_ok"]} bulk removals with suppress), ${r.stats["lifts_ok"]} lifts, ` +
        `${r.stats["removed_suppressed_by_worker"]} lead(s) removed by a worker instead of dialled`
    )
    console.log(formatViolations(r.history, r.violations))
    for (const m of r.counterMismatches) console.log(`counter mismatch: ${m}`)
    process.exit(r.violations.length === 0 && r.counterMismatches.length === 0 ? 0 : 1)
  },
  (e) => {
    console.error(`race failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
