/**
 * `leadq leads remove-many` throughput (issue 5): the real CLI against a real gateway process on
 * SQLite. For each batch size in BENCH_BATCH and each concurrency in BENCH_CONCURRENCY (requests
 * in flight), on a fresh campaign each round: seeds BENCH_LEADS leads through the API (a CSV
 * upload by the CLI), lists their ids (the CLI again), then times `leads remove-many` over the
 * file. The CLI sends the removals in batches to `POST /v1/campaigns-leads/bulk-remove`. Prints
 * removals per second — by the CLI's own clock (the removal pass) and by the wall clock around
 * the whole process (start-up, pre-flight check and summary included) — and the gateway's peak
 * RSS.
 *
 *   pnpm build && node tools/bench/dist/remove-many.js
 *   BENCH_LEADS=50000 BENCH_BATCH=100,500,1000 BENCH_CONCURRENCY=1,2,4,8 node tools/bench/dist/remove-many.js
 *
 * It also prints the CPU time each side spent per removal, and the rate those costs allow on
 * otherwise idle cores: on a shared machine the measured rate mostly says how busy it was.
 *
 * Every round is checked: all leads removed, none failed. The figure for the target (at least
 * 1,000 leads per second) is the defaults' (batches of 500, 4 in flight).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { leadqOk } from "./LeadqCli.js"
import { freePort, startGateway } from "./Processes.js"
import { runMain } from "./Main.js"

const LEADS = Number(process.env["BENCH_LEADS"] ?? 10_000)
const CONCURRENCIES = (process.env["BENCH_CONCURRENCY"] ?? "1,2,4,8").split(",").map(Number)
const BATCHES = (process.env["BENCH_BATCH"] ?? "500").split(",").map(Number)
const CORES = os.cpus().length

/**
 * What the CPU alone allows: each process runs on one core at a time, and both share the cores.
 * A figure that does not depend on what else the machine is doing during the run.
 */
const capacity = (cliMs: number, gatewayMs: number) =>
  Math.min(1000 / cliMs, 1000 / gatewayMs, (CORES * 1000) / (cliMs + gatewayMs))

/** CPU seconds (user + system) from a /proc stat line: own (fields 14, 15) or of reaped children (16, 17). */
const TICKS_PER_SECOND = 100
const cpuOf = (pid: number | "self", children: boolean) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // fields[0] is field 3 (state): field n is fields[n - 3]
  const [a, b] = children ? [fields[13]!, fields[14]!] : [fields[11]!, fields[12]!]
  return (Number(a) + Number(b)) / TICKS_PER_SECOND
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-remove-many-"))
  const databaseUrl = `sqlite:${path.join(dir, "leadq.db")}`
  const issued = lastJson((await leadqOk(["keys", "create", "--org", "bench", "--json"], { DATABASE_URL: databaseUrl })).stdout)
  const port = await freePort()
  const gateway = await startGateway(port, databaseUrl)
  const env = { LEADQ_URL: `http://127.0.0.1:${port}`, LEADQ_API_KEY: String(issued["api_key"]) }
  const rows: Array<string> = []
  try {
    console.log(`leads remove-many: ${LEADS} leads per round, gateway on SQLite (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`)
    const rounds = BATCHES.flatMap((batch) => CONCURRENCIES.map((concurrency) => ({ batch, concurrency })))
    for (const [round, { batch, concurrency }] of rounds.entries()) {
      const campaign = lastJson((await leadqOk(
        ["campaigns", "create", "--name", `bench b=${batch} c=${concurrency}`, "--agent-id", "bench", "--from", "+14155550100", "--json"],
        env
      )).stdout)
      const campaignId = String(campaign["id"])
      // Paused: nothing but the removals touches these leads.
      await leadqOk(["campaigns", "pause", campaignId], env)
      const csv = path.join(dir, `seed-${round}.csv`)
      const base = 2_000_000 + round * 100_000
      fs.writeFileSync(csv, "phone_number\n" + Array.from({ length: LEADS }, (_, i) => `+1416${String(base + i).padStart(7, "0")}`).join("\n") + "\n")
      const seeded = performance.now()
      await leadqOk(["leads", "upload", "--campaign", campaignId, "--file", csv], env)
      const uploadMs = performance.now() - seeded
      const listed = await leadqOk(["leads", "list", "--campaign", campaignId, "--all", "--json"], env)
      const ids = listed.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id)
      if (ids.length !== LEADS) throw new Error(`expected ${LEADS} leads, listed ${ids.length}`)
      const file = path.join(dir, `ids-${round}.txt`)
      fs.writeFileSync(file, ids.join("\n") + "\n")

      // CPU of the CLI (a child of this process, counted once reaped) and of the gateway, over the run.
      const cliCpu0 = cpuOf("self", true)
      const gatewayCpu0 = cpuOf(gateway.child.pid!, false)
      const run = await leadqOk(
        ["leads", "remove-many", "--file", file, "--concurrency", String(concurrency), "--batch-size", String(batch), "--json"],
        env
      )
      const cliMs = ((cpuOf("self", true) - cliCpu0) * 1000) / LEADS
      const gatewayMs = ((cpuOf(gateway.child.pid!, false) - gatewayCpu0) * 1000) / LEADS
      const summary = lastJson(run.stdout) as { removed: { total: number }; errors: number; elapsed_ms: number }
      if (summary.removed.total !== LEADS || summary.errors !== 0) throw new Error(`round ${batch}×${concurrency}: ${run.stdout}`)
      const passRate = (LEADS * 1000) / summary.elapsed_ms
      const wallRate = (LEADS * 1000) / run.wallMs
      const row = `batch ${String(batch).padStart(4)}, ${String(concurrency).padStart(3)} in flight: ${passRate.toFixed(0).padStart(5)} leads/s (removal pass ${(summary.elapsed_ms / 1000).toFixed(2)} s), ` +
        `${wallRate.toFixed(0).padStart(5)} leads/s wall (${(run.wallMs / 1000).toFixed(2)} s with start-up); upload of the ${LEADS} leads ${(uploadMs / 1000).toFixed(2)} s\n` +
        `                           CPU per removal: CLI ${cliMs.toFixed(2)} ms, gateway ${gatewayMs.toFixed(2)} ms ` +
        `(on ${CORES} otherwise idle cores that bounds the rate at ${capacity(cliMs, gatewayMs).toFixed(0)} leads/s)`
      rows.push(row)
      console.log(row)
    }
    console.log(`gateway peak RSS: ${gateway.peakRssMb().toFixed(0)} MiB`)
  } finally {
    await gateway.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

runMain(main)
