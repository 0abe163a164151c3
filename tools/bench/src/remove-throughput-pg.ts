/**
 * Removal throughput on PostgreSQL (issue 6, benchmark 1, second part): leadq's gateway serving
 * `DELETE /v1/campaigns-leads/{id}` to distinct pending leads with the load generator of
 * `remove-throughput.ts` (closed loop, keep-alive), first one gateway process taking all 32
 * connections, then two gateway processes on the same database with the 32 connections split
 * between them (16 + 16). Each gateway has its own pool of 10 PostgreSQL connections (the
 * default). Rounds alternate between the two set-ups.
 *
 *   pnpm build && pnpm --filter @leadq/bench remove-throughput-pg
 *   (BENCH_LEADS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_WARMUP; the server is LEADQ_TEST_PG_URL's, a fresh database)
 */
import * as os from "node:os"
import { openBenchDatabase } from "./BenchDatabase.js"
import type { LoadResult } from "./Load.js"
import { runLoad } from "./Load.js"
import { freePort, startGateway } from "./Processes.js"
import { seedQueue } from "./WorkerSeed.js"
import { runMain } from "./Main.js"

const LEADS = Number(process.env["BENCH_LEADS"] ?? 36_000)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 32)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2)
/** Removals per server before the measured rounds (not counted). */
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 1_000)

const fmt = (r: LoadResult) =>
  `${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  ${JSON.stringify(r.statuses)}`

const main = async () => {
  const db = await openBenchDatabase("pg")
  try {
    const seeded = await db.run(seedQueue(8, Math.ceil(LEADS / 8), 2_000_000_000))
    const headers = { authorization: `Bearer ${seeded.apiKey}` }
    const paths = seeded.leadIds.map((id) => `/v1/campaigns-leads/${id}`)
    const ports = [await freePort(), await freePort()]
    const gateways = await Promise.all(ports.map((p) => startGateway(p, db.url)))
    const url = (i: number) => `http://127.0.0.1:${ports[i]}`
    try {
      let next = 0
      const take = (n: number) => paths.slice(next, (next += n))
      // Warm both gateways up (JIT, prepared statements, pools).
      await Promise.all([0, 1].map((i) => runLoad({ baseUrl: url(i), method: "DELETE", paths: take(WARMUP / 2), headers, connections: CONNECTIONS / 2 })))
      const perRound = Math.floor((paths.length - WARMUP) / (ROUNDS * 2))
      const one: Array<LoadResult> = []
      const two: Array<Array<LoadResult>> = []
      const twoSeconds: Array<number> = []
      for (let round = 0; round < ROUNDS; round++) {
        const runOne = async () => {
          const r = await runLoad({ baseUrl: url(0), method: "DELETE", paths: take(perRound), headers, connections: CONNECTIONS })
          one.push(r)
          console.log(`round ${round + 1} one gateway,  ${CONNECTIONS} connections       ${fmt(r)}`)
        }
        const runTwo = async () => {
          const slice = take(perRound)
          const half = Math.floor(slice.length / 2)
          const started = performance.now()
          const rs = await Promise.all([0, 1].map((i) =>
            runLoad({ baseUrl: url(i), method: "DELETE", paths: i === 0 ? slice.slice(0, half) : slice.slice(half), headers, connections: CONNECTIONS / 2 })
          ))
          const seconds = (performance.now() - started) / 1000
          two.push(rs)
          twoSeconds.push(seconds)
          const total = rs.reduce((n, r) => n + r.requests, 0)
          console.log(`round ${round + 1} two gateways, ${CONNECTIONS / 2} + ${CONNECTIONS / 2} connections  ${(total / seconds).toFixed(0).padStart(6)} req/s  ` +
            rs.map((r, i) => `[gateway ${i + 1}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms ${JSON.stringify(r.statuses)}]`).join(" "))
        }
        if (round % 2 === 0) {
          await runOne()
          await runTwo()
        } else {
          await runTwo()
          await runOne()
        }
      }
      const oneRate = one.reduce((n, r) => n + r.requests, 0) / one.reduce((s, r) => s + r.seconds, 0)
      const twoRate = two.flat().reduce((n, r) => n + r.requests, 0) / twoSeconds.reduce((s, x) => s + x, 0)
      const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
      console.log("")
      console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}; PostgreSQL on the same machine`)
      console.log(`PostgreSQL, one gateway:   ${oneRate.toFixed(0)} req/s, p50 ${median(one.map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(one.map((r) => r.p99Ms)).toFixed(2)} ms`)
      console.log(`PostgreSQL, two gateways:  ${twoRate.toFixed(0)} req/s, p50 ${median(two.flat().map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(two.flat().map((r) => r.p99Ms)).toFixed(2)} ms (median over both gateways and rounds)`)
      console.log(`peak RSS: gateway 1 ${gateways[0]!.peakRssMb().toFixed(0)} MiB, gateway 2 ${gateways[1]!.peakRssMb().toFixed(0)} MiB`)
    } finally {
      await Promise.all(gateways.map((g) => g.stop()))
    }
  } finally {
    await db.close()
  }
}

runMain(main)
