/**
 * Removal throughput, side by side on one machine in one run (issue 6, benchmark 1; issue 13):
 * leadq's gateway on SQLite serving `DELETE /v1/campaigns-leads/{id}` over 32 connections to
 * distinct pending leads, against two bare `node:http` + `better-sqlite3` baselines
 * (`BaselineServer.ts`), each on its own copy of the seeded database:
 * - `full`: the statements leadq's removal runs (the key check; one transaction holding the
 *   conditional UPDATE, the audit record and the `lead.removed` event) — the ratio against it is
 *   leadq's own overhead, the figure issue 13 asks for (≥ 0.5);
 * - `minimal`: the key check and one plain UPDATE in autocommit, as the baseline was before
 *   issue 13 — kept so that the ratio can be compared with earlier runs.
 * Rounds alternate the order of the three so that drift on the machine affects all alike. Per
 * server: req/s, p50/p99, CPU per removal (utime + stime of the server process over its rounds);
 * the gateway's RSS once started (before any load) and its peak.
 *
 *   pnpm build && node tools/bench/dist/remove-throughput.js
 *   (BENCH_LEADS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_WARMUP to change the size)
 */
import Database from "better-sqlite3"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type LoadResult, runLoad } from "./Load.js"
import { freePort, startGateway, startProcess } from "./Processes.js"
import { seedSqlite } from "./Seed.js"
import { runMain } from "./Main.js"

const LEADS = Number(process.env["BENCH_LEADS"] ?? 40_000)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 32)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3)
/** Removals per server before the measured rounds (not counted). */
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 1_000)

const fmt = (r: LoadResult) =>
  `${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  ` +
  JSON.stringify(r.statuses)

const NAMES = ["baseline", "leadq", "minimal"] as const
type Name = (typeof NAMES)[number]

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-"))
  const files = { leadq: path.join(dir, "leadq.db"), baseline: path.join(dir, "baseline.db"), minimal: path.join(dir, "minimal.db") }
  const seeded = await Effect.runPromise(seedSqlite(files.leadq, 1, LEADS))
  fs.copyFileSync(files.leadq, files.baseline)
  fs.copyFileSync(files.leadq, files.minimal)
  const headers = { authorization: `Bearer ${seeded.apiKey}` }
  const paths = seeded.leadIds.map((id) => `/v1/campaigns-leads/${id}`)

  const ports = { leadq: await freePort(), baseline: await freePort(), minimal: await freePort() }
  const baselineOf = (mode: "full" | "minimal", port: number, file: string) =>
    startProcess("tools/bench/dist/BaselineServer.js", {}, `http://127.0.0.1:${port}/healthz`, [file, String(port), mode])
  const processes = {
    leadq: await startGateway(ports.leadq, `sqlite:${files.leadq}`),
    baseline: await baselineOf("full", ports.baseline, files.baseline),
    minimal: await baselineOf("minimal", ports.minimal, files.minimal)
  }
  // Once started, before any load: what the gateway holds with nothing to do.
  await new Promise((r) => setTimeout(r, 500))
  const idleRss = processes.leadq.rssMb()
  const targets = Object.fromEntries(NAMES.map((n) => [n, `http://127.0.0.1:${ports[n]}`])) as Record<Name, string>

  // Warm each up on leads that are not measured (JIT, prepared statements, page cache).
  for (const name of NAMES) {
    await runLoad({ baseUrl: targets[name], method: "DELETE", paths: paths.slice(0, WARMUP), headers, connections: CONNECTIONS })
  }
  const perRound = Math.floor((paths.length - WARMUP) / ROUNDS)
  const results: Record<Name, Array<LoadResult>> = { leadq: [], baseline: [], minimal: [] }
  const cpu: Record<Name, number> = { leadq: 0, baseline: 0, minimal: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const slice = paths.slice(WARMUP + round * perRound, WARMUP + (round + 1) * perRound)
    // Each round starts with the next server in turn.
    const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]!)
    for (const name of order) {
      const cpu0 = processes[name].cpuSeconds()
      const r = await runLoad({ baseUrl: targets[name], method: "DELETE", paths: slice, headers, connections: CONNECTIONS })
      cpu[name] += processes[name].cpuSeconds() - cpu0
      results[name].push(r)
      console.log(`round ${round + 1} ${name.padEnd(8)} ${fmt(r)}`)
    }
  }
  const rate = (name: Name) => {
    const rs = results[name]
    return rs.reduce((n, r) => n + r.requests, 0) / rs.reduce((s, r) => s + r.seconds, 0)
  }
  const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const latency = (name: Name) =>
    `p50 ${median(results[name].map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(results[name].map((r) => r.p99Ms)).toFixed(2)} ms`
  // Throughput moves with the disk's flush latency and the machine's other load; CPU per request
  // is the steadier measure of the work each server does for one removal.
  const perRequest = (name: Name) => (cpu[name] / results[name].reduce((n, r) => n + r.requests, 0)) * 1e6
  console.log("")
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`)
  console.log(`removals: ${LEADS - WARMUP} distinct pending leads per server over ${CONNECTIONS} connections, ${ROUNDS} rounds in turn`)
  console.log(`baseline (node:http + better-sqlite3): ${rate("baseline").toFixed(0)} req/s, ${latency("baseline")}   (leadq's statements: UPDATE … RETURNING, audit, event, one transaction)`)
  console.log(`minimal baseline:                      ${rate("minimal").toFixed(0)} req/s, ${latency("minimal")}   (one plain UPDATE, autocommit: the baseline before issue 13)`)
  console.log(`leadq gateway:                         ${rate("leadq").toFixed(0)} req/s, ${latency("leadq")}`)
  console.log(`ratio leadq/baseline: ${(rate("leadq") / rate("baseline")).toFixed(2)}   (target ≥ 0.50)`)
  console.log(`ratio leadq/minimal baseline: ${(rate("leadq") / rate("minimal")).toFixed(2)}   (for comparison with runs before issue 13)`)
  console.log(`server CPU per removal: leadq ${perRequest("leadq").toFixed(0)} µs, baseline ${perRequest("baseline").toFixed(0)} µs, minimal baseline ${perRequest("minimal").toFixed(0)} µs`)
  console.log(`gateway RSS: ${idleRss.toFixed(0)} MiB idle (after start, before load), peak ${processes.leadq.peakRssMb().toFixed(0)} MiB`)
  console.log(`peak RSS: leadq ${processes.leadq.peakRssMb().toFixed(0)} MiB, baseline ${processes.baseline.peakRssMb().toFixed(0)} MiB, minimal baseline ${processes.minimal.peakRssMb().toFixed(0)} MiB`)
  await Promise.all(NAMES.map((n) => processes[n].stop()))
  // Every removal left its audit record and one well-formed lead.removed event (leadq and the
  // full baseline; the minimal baseline writes neither).
  const keys = "lead_id,campaign_id,phone_number,removed_from,call_in_progress,reason,api_key_id,removed_at"
  for (const name of ["leadq", "baseline"] as const) {
    const db = new Database(files[name], { readonly: true })
    const count = (q: string) => (db.prepare(q).get() as { n: number }).n
    const removed = count("SELECT count(*) AS n FROM leads WHERE state = 'removed'")
    const audits = count("SELECT count(*) AS n FROM lead_removals")
    const events = db.prepare("SELECT payload FROM outbox_events WHERE type = 'lead.removed'").all() as Array<{ payload: string }>
    db.close()
    const wellFormed = events.filter((e) => Object.keys(JSON.parse(e.payload) as object).join(",") === keys).length
    if (audits !== removed || events.length !== removed || wellFormed !== removed) {
      throw new Error(`${name}: removed leads ${removed}, audit records ${audits}, lead.removed events ${events.length} (${wellFormed} well-formed)`)
    }
  }
  console.log("records: every removal of leadq and of the baseline has its audit record and its lead.removed event")
  fs.rmSync(dir, { recursive: true, force: true })
}

runMain(main)
