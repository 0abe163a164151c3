import { engineArg } from "@leadq/history"
import { startTestGateway } from "@leadq/gateway/testing"
import { Effect, LogLevel, Option, Redacted } from "effect"
import { parseArgs } from "node:util"
import { addCampaign, eachNotFound, fetchOpenApi, formatFindings, operationsOf, poolsOf, problemsOf, rowDiff, runFuzz, send, stageOrganization, tenancyProbes } from "../fuzz/index.js"
import { databaseRows } from "../fuzz/DatabaseRows.js"

/**
 * The abuse run, longer than the test suite runs it: every operation of the OpenAPI document
 * fuzzed against a real gateway on a fresh database, then every endpoint tried with another
 * organization's key.
 *
 *   pnpm --filter @leadq/chaos fuzz [--engine sqlite|pg] [--requests 20000] [--seed N]
 *
 * Prints the figures and every finding; exits 1 on any.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "sqlite" },
    requests: { type: "string", default: "20000" },
    seed: { type: "string" }
  }
})
const engine = engineArg(values.engine, "fuzz")
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const SECRET = "fuzz-webhook-secret"
console.log(`fuzz: engine=${engine} seed=${seed} requests=${values.requests}`)

const program = Effect.scoped(Effect.gen(function*() {
  const gw = yield* startTestGateway(engine, { settings: { carrier_webhook_secret: Option.some(Redacted.make(SECRET)) }, logLevel: LogLevel.Error })
  const a = yield* Effect.provide(stageOrganization(gw.baseUrl, "a"), gw.context)
  const b = yield* Effect.provide(stageOrganization(gw.baseUrl, "b"), gw.context)
  const started = Date.now()
  const r = yield* runFuzz({
    baseUrl: gw.baseUrl,
    seed,
    requests: Number(values.requests),
    pools: () => poolsOf(a.org, b.org, a.revokedKey, SECRET),
    refill: Effect.asVoid(addCampaign(a.org, 4, "refill")),
    batch: 500,
    progress: (line) => console.log(`fuzz: ${line}`)
  }).pipe(Effect.provide(gw.context))
  console.log(`fuzz: ${r.sent} requests sent in ${((Date.now() - started) / 1000).toFixed(0)} s (${r.notSent} refused by the HTTP client itself), ${r.unchangedChecks} checked to change nothing`)
  console.log(`fuzz: statuses ${JSON.stringify(r.byStatus)}`)
  console.log(`fuzz: per operation ${JSON.stringify(r.byOperation)}`)
  console.log(formatFindings(r.findings))

  const probes = tenancyProbes(operationsOf(yield* fetchOpenApi(gw.baseUrl)), a.org, b.org.apiKey)
  const rows = databaseRows.pipe(Effect.provide(gw.context))
  const before = yield* rows
  const wrong: Array<string> = []
  for (const probe of probes) {
    const response = yield* Effect.promise(() => send(gw.baseUrl, probe.request))
    if (response === undefined) continue
    const where = `${probe.request.method} ${probe.request.path}`
    for (const p of problemsOf(probe.request, response)) wrong.push(`${where}: ${p}`)
    if (probe.expect === "404" && response.status !== 404) wrong.push(`${where}: answered ${response.status}`)
    if (probe.expect === "each-not-found" && response.status !== 404 && !(response.status === 200 && eachNotFound(JSON.parse(response.body.toString("utf8"))))) {
      wrong.push(`${where}: answered ${response.status}`)
    }
  }
  const changed = rowDiff(before, yield* rows)
  console.log(`tenancy: ${probes.length} requests with another organization's key, ${wrong.length} wrong answers, ${changed.length} rows changed`)
  for (const w of [...wrong, ...changed]) console.log(`  ${w}`)
  return r.findings.length + wrong.length + changed.length
}))

Effect.runPromise(program).then(
  (problems) => process.exit(problems === 0 ? 0 : 1),
  (e) => {
    console.error(`fuzz failed (seed ${seed}):`, e)
    process.exit(2)
  }
)
