import { Effect } from "effect"
import { parseArgs } from "node:util"
import { formatViolations } from "../Check.js"
import { runRace } from "../race/Race.js"

/**
 * The randomized race, longer than the test suite runs it:
 *
 *   pnpm --filter @leadq/history race --engine pg --workers 4 --seconds 60 [--seed N] [--no-kill]
 *   pnpm --filter @leadq/history race --engine sqlite --seconds 60
 *
 * Prints the seed, the run's figures and every violation; exits 1 when there is any.
 * PostgreSQL is the one named by LEADQ_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
 * each run gets a fresh database there, dropped afterwards.
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
    "no-kill": { type: "boolean", default: false }
  }
})

const engine = values.engine === "sqlite" ? "sqlite" : "pg"
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
console.log(`race: engine=${engine} seed=${seed}`)

const program = Effect.scoped(
  runRace({
    engine,
    seed,
    workers: engine === "pg" ? { mode: "processes", count: Number(values.workers), killOne: !values["no-kill"] } : { mode: "in-process" },
    campaigns: Number(values.campaigns),
    leadsPerCampaign: Number(values.leads),
    opsMs: Number(values.seconds) * 1000,
    clients: Number(values.clients),
    progress: (line) => console.log(`race: ${line}`)
  })
)

Effect.runPromise(program).then(
  (r) => {
    console.log(JSON.stringify(r.stats, null, 2))
    console.log(formatViolations(r.history, r.violations))
    for (const m of r.counterMismatches) console.log(`counter mismatch: ${m}`)
    process.exit(r.violations.length === 0 && r.counterMismatches.length === 0 ? 0 : 1)
  },
  (e) => {
    console.error(`race failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
