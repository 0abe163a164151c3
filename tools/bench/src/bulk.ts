/**
 * Bulk (issue 6, benchmark 3): a 100,000-row CSV uploaded through the gateway, and
 * `leadq leads remove-many` of 10,000 leads with the real CLI, with the gateway's peak resident
 * memory (VmHWM from /proc) over both. Targets: upload under 10 s, removals ≥ 1,000 per second,
 * gateway under 300 MB.
 *
 *  1. upload: `POST /v1/campaigns-leads/upload-file/{id}` (multipart, streamed from the file) of
 *     BENCH_ROWS rows (phone_number, name and two note columns), timed from the first byte sent
 *     to the answer; then the same through the CLI (`leadq leads upload`), timed around the
 *     whole process (start-up included);
 *  2. remove-many: BENCH_REMOVE lead ids of the first upload in a file, `leadq leads remove-many
 *     --file … --json` (its defaults: batches of 500 on `POST /v1/campaigns-leads/bulk-remove`,
 *     4 requests in flight), timed by the CLI's own summary and around the whole process. Every
 *     removal is checked to have succeeded.
 *
 *   pnpm build && pnpm --filter @leadq/bench bulk
 *   BENCH_ENGINE=pg BENCH_ROWS=100000 BENCH_REMOVE=10000 …
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { openBenchDatabase } from "./BenchDatabase.js"
import { leadq } from "./LeadqCli.js"
import { freePort, startGateway } from "./Processes.js"
import { seedQueue } from "./WorkerSeed.js"
import { runMain } from "./Main.js"

const ENGINE = process.env["BENCH_ENGINE"] === "pg" ? "pg" : "sqlite"
const ROWS = Number(process.env["BENCH_ROWS"] ?? 100_000)
const REMOVE = Number(process.env["BENCH_REMOVE"] ?? 10_000)

const writeCsv = (file: string, rows: number, base: number) => {
  const out = fs.openSync(file, "w")
  fs.writeSync(out, "phone_number,name,city,plan\n")
  const cities = ["Austin", "Boston", "Chicago", "Denver", "Seattle"]
  let chunk = ""
  for (let i = 0; i < rows; i++) {
    chunk += `+1${base + i},Lead ${i},${cities[i % cities.length]},${i % 3 === 0 ? "gold" : "basic"}\n`
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk)
      chunk = ""
    }
  }
  fs.writeSync(out, chunk)
  fs.closeSync(out)
}

/** A multipart upload streamed from the file, as a client with a large file sends it. */
const upload = async (baseUrl: string, apiKey: string, campaignId: string, file: string) => {
  const form = new FormData()
  form.append("file", await fs.openAsBlob(file, { type: "text/csv" }), path.basename(file))
  const started = performance.now()
  const response = await fetch(`${baseUrl}/v1/campaigns-leads/upload-file/${campaignId}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}` },
    body: form
  })
  const body = (await response.json()) as { leads_created?: number }
  return { status: response.status, body, ms: performance.now() - started }
}

const main = async () => {
  const db = await openBenchDatabase(ENGINE)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-bulk-"))
  try {
    // An organization and two campaigns to upload into (running; no worker is started).
    const seeded = await db.run(seedQueue(2, 0, 2_000_000_000))
    const port = await freePort()
    const gateway = await startGateway(port, db.url)
    const baseUrl = `http://127.0.0.1:${port}`
    const env = { LEADQ_URL: baseUrl, LEADQ_API_KEY: seeded.apiKey }
    try {
      const idleRss = gateway.peakRssMb()
      const csv1 = path.join(dir, "leads-1.csv")
      const csv2 = path.join(dir, "leads-2.csv")
      writeCsv(csv1, ROWS, 2_000_000_000)
      writeCsv(csv2, ROWS, 3_000_000_000)
      const size = fs.statSync(csv1).size
      console.log(`bulk on ${ENGINE === "pg" ? "PostgreSQL" : "SQLite"}: ${ROWS} rows (${(size / 2 ** 20).toFixed(1)} MiB) per CSV; ` +
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`)

      const first = await upload(baseUrl, seeded.apiKey, seeded.campaignIds[0]!, csv1)
      if (first.status !== 201 || first.body.leads_created !== ROWS) throw new Error(`upload: ${first.status} ${JSON.stringify(first.body)}`)
      console.log(`upload through the gateway (HTTP multipart): ${(first.ms / 1000).toFixed(2)} s, ${(ROWS / (first.ms / 1000)).toFixed(0)} rows/s   (target < 10 s)`)
      const viaCli = await leadq(["leads", "upload", "--campaign", seeded.campaignIds[1]!, "--file", csv2, "--json"], env)
      if (viaCli.code !== 0) throw new Error(`leadq leads upload exited ${viaCli.code}: ${viaCli.stderr}`)
      console.log(`upload with the CLI (leadq leads upload):    ${(viaCli.wallMs / 1000).toFixed(2)} s wall, start-up included`)
      const afterUpload = gateway.peakRssMb()

      const ids = await db.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ id: string }>`SELECT id FROM leads WHERE campaign_id = ${seeded.campaignIds[0]!} ORDER BY seq LIMIT ${REMOVE}`))
      const idsFile = path.join(dir, "ids.txt")
      fs.writeFileSync(idsFile, ids.map((r) => r.id).join("\n") + "\n")
      const run = await leadq(["leads", "remove-many", "--file", idsFile, "--json"], env)
      if (run.code !== 0) throw new Error(`leadq leads remove-many exited ${run.code}: ${run.stderr}`)
      const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { removed: { total: number }; errors: number; elapsed_ms: number }
      if (summary.removed.total !== ids.length || summary.errors !== 0) throw new Error(`remove-many: ${run.stdout.slice(-1000)}`)
      console.log(`remove-many of ${ids.length} leads (CLI, default batches): ${((ids.length * 1000) / summary.elapsed_ms).toFixed(0)} leads/s by the CLI's clock ` +
        `(${(summary.elapsed_ms / 1000).toFixed(2)} s), ${((ids.length * 1000) / run.wallMs).toFixed(0)} leads/s wall (${(run.wallMs / 1000).toFixed(2)} s)   (target ≥ 1000/s)`)
      console.log(`gateway RSS: ${idleRss.toFixed(0)} MiB after start, peak ${afterUpload.toFixed(0)} MiB after the uploads, peak ${gateway.peakRssMb().toFixed(0)} MiB overall   (target < 300 MB)`)
    } finally {
      await gateway.stop()
    }
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

runMain(main)
