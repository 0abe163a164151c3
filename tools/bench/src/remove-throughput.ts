/**
 * Removal throughput, side by side on one machine in one run (issue 6, benchmark 1):
 * leadq's gateway on SQLite serving `DELETE /v1/campaigns-leads/{id}` over 32 connections to
 * distinct pending leads, versus the bare `node:http` + `better-sqlite3` baseline doing the same
 * conditional update with the same key check and the same durability. Rounds alternate between
 * the two so that drift on the machine affects both alike.
 *
 *   pnpm build && node tools/bench/dist/remove-throughput.js
 *   (BENCH_LEADS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_WARMUP to change the size)
 */
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

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-"))
  const leadqDb = path.join(dir, "leadq.db")
  const baselineDb = path.join(dir, "baseline.db")
  const seeded = await Effect.runPromise(seedSqlite(leadqDb, 1, LEADS))
  fs.copyFileSync(leadqDb, baselineDb)
  const headers = { authorization: `Bearer ${seeded.apiKey}` }
  const paths = seeded.leadIds.map((id) => `/v1/campaigns-leads/${id}`)

  const leadqPort = await freePort()
  const baselinePort = await freePort()
  const leadq = await startGateway(leadqPort, `sqlite:${leadqDb}`)
  const baseline = await startProcess("tools/bench/dist/BaselineServer.js", {}, `http://127.0.0.1:${baselinePort}/healthz`, [
    baselineDb,
    String(baselinePort)
  ])
  const targets = { leadq: `http://127.0.0.1:${leadqPort}`, baseline: `http://127.0.0.1:${baselinePort}` } as const

  // Warm both up on leads that are not measured (JIT, prepared statements, page cache).
  for (const url of Object.values(targets)) {
    await runLoad({ baseUrl: url, method: "DELETE", paths: paths.slice(0, WARMUP), headers, connections: CONNECTIONS })
  }
  const perRound = Math.floor((paths.length - WARMUP) / ROUNDS)
  const results: Record<keyof typeof targets, Array<LoadResult>> = { leadq: [], baseline: [] }
  const processes = { leadq, baseline } as const
  const cpu = { leadq: 0, baseline: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const slice = paths.slice(WARMUP + round * perRound, WARMUP + (round + 1) * perRound)
    for (const name of round % 2 === 0 ? (["baseline", "leadq"] as const) : (["leadq", "baseline"] as const)) {
      const cpu0 = processes[name].cpuSeconds()
      const r = await runLoad({ baseUrl: targets[name], method: "DELETE", paths: slice, headers, connections: CONNECTIONS })
      cpu[name] += processes[name].cpuSeconds() - cpu0
      results[name].push(r)
      console.log(`round ${round + 1} ${name.padEnd(8)} ${fmt(r)}`)
    }
  }
  const total = (rs: ReadonlyArray<LoadResult>) => rs.reduce((n, r) => n + r.requests, 0) / rs.reduce((s, r) => s + r.seconds, 0)
  const leadqRate = total(results.leadq)
  const baselineRate = total(results.baseline)
  const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  console.log("")
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`)
  console.log(`removals: ${LEADS - WARMUP} distinct pending leads per server over ${CONNECTIONS} connections, ${ROUNDS} alternating rounds`)
  console.log(`baseline (node:http + better-sqlite3): ${baselineRate.toFixed(0)} req/s, p50 ${median(results.baseline.map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(results.baseline.map((r) => r.p99Ms)).toFixed(2)} ms`)
  console.log(`leadq gateway:                         ${leadqRate.toFixed(0)} req/s, p50 ${median(results.leadq.map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(results.leadq.map((r) => r.p99Ms)).toFixed(2)} ms`)
  console.log(`ratio leadq/baseline: ${(leadqRate / baselineRate).toFixed(2)}   (target ≥ 0.50)`)
  // Throughput moves with the disk's flush latency and the machine's other load; CPU per request
  // is the steadier measure of the work each server does for one removal.
  const perRequest = (name: keyof typeof targets) =>
    (cpu[name] / results[name].reduce((n, r) => n + r.requests, 0)) * 1e6
  console.log(`server CPU per removal: leadq ${perRequest("leadq").toFixed(0)} µs, baseline ${perRequest("baseline").toFixed(0)} µs`)
  console.log(`peak RSS: leadq ${leadq.peakRssMb().toFixed(0)} MiB, baseline ${baseline.peakRssMb().toFixed(0)} MiB`)
  await Promise.all([leadq.stop(), baseline.stop()])
  fs.rmSync(dir, { recursive: true, force: true })
}

runMain(main)
