/**
 * Removal throughput on PostgreSQL (issue 6, benchmark 1, second part; issue 13): leadq's gateway
 * serving `DELETE /v1/campaigns-leads/{id}` to distinct pending leads with the load generator of
 * `remove-throughput.ts` (closed loop, keep-alive), against the bare `node:http` + `pg` baseline
 * running the same statements (`BaselineServerPg.ts`), on the same fresh database in the same
 * run. Three set-ups take turns round by round, each starting a round in turn:
 * - the bare baseline, all 32 connections;
 * - one gateway process, all 32 connections — the ratio leadq/bare is this one against the
 *   baseline (issue 13's target: ≥ 0.5);
 * - two gateway processes on the same database, 16 + 16 connections.
 * Each server has its own pool of 10 PostgreSQL connections (leadq's default). Per set-up:
 * req/s, p50/p99, CPU per removal of the server process(es) (utime + stime from /proc over its
 * rounds) and of the database's backends (every backend of the benchmark's database, read from
 * /proc by the pids in `pg_stat_activity` before and after each round: PostgreSQL runs on the same
 * machine; its background writers are not counted); the gateways' peak RSS.
 *
 *   pnpm build && pnpm --filter @leadq/bench remove-throughput-pg
 *   (BENCH_LEADS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_WARMUP; the server is LEADQ_TEST_PG_URL's, a fresh database)
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as os from "node:os"
import { openBenchDatabase } from "./BenchDatabase.js"
import type { LoadResult } from "./Load.js"
import { runLoad } from "./Load.js"
import { cpuMsOf } from "./NodeProcess.js"
import type { Running } from "./Processes.js"
import { freePort, startGateway, startProcess } from "./Processes.js"
import { seedQueue } from "./WorkerSeed.js"
import { runMain } from "./Main.js"

const LEADS = Number(process.env["BENCH_LEADS"] ?? 36_000)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 32)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2)
/** Removals per server before the measured rounds (not counted). */
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 1_000)

const fmt = (r: LoadResult) =>
  `${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  ${JSON.stringify(r.statuses)}`

const SETUPS = ["bare", "one", "two"] as const
type Setup = (typeof SETUPS)[number]

interface Tally {
  readonly results: Array<LoadResult>
  /** Wall time of each round (two gateways: from the first request sent to the last answer). */
  readonly seconds: Array<number>
  requests: number
  serverMs: number
  backendMs: number
}

const main = async () => {
  const db = await openBenchDatabase("pg")
  /** CPU so far (ms) of every backend now connected to the benchmark's database, by pid. */
  const backendCpu = async () => {
    const rows = await db.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`))
    return new Map(rows.map((r) => [Number(r.pid), cpuMsOf(Number(r.pid))]))
  }
  /** CPU the backends used between two readings: a backend that connected since counts from 0. */
  const backendDelta = (before: Map<number, number>, after: Map<number, number>) => {
    let ms = 0
    for (const [pid, cpu] of after) if (Number.isFinite(cpu)) ms += cpu - (before.get(pid) ?? 0)
    return ms
  }
  const running: Array<Running> = []
  try {
    const seeded = await db.run(seedQueue(8, Math.ceil(LEADS / 8), 2_000_000_000))
    const headers = { authorization: `Bearer ${seeded.apiKey}` }
    const paths = seeded.leadIds.map((id) => `/v1/campaigns-leads/${id}`)
    const ports = [await freePort(), await freePort()]
    const barePort = await freePort()
    const gateways = await Promise.all(ports.map((p) => startGateway(p, db.url)))
    running.push(...gateways)
    const bare = await startProcess("tools/bench/dist/BaselineServerPg.js", {}, `http://127.0.0.1:${barePort}/healthz`, [db.url, String(barePort)])
    running.push(bare)
    const url = (i: number) => `http://127.0.0.1:${ports[i]}`
    const bareUrl = `http://127.0.0.1:${barePort}`
    let next = 0
    const take = (n: number) => paths.slice(next, (next += n))
    // Warm every server up (JIT, pools, the database's caches).
    await Promise.all([0, 1].map((i) => runLoad({ baseUrl: url(i), method: "DELETE", paths: take(WARMUP / 2), headers, connections: CONNECTIONS / 2 })))
    await runLoad({ baseUrl: bareUrl, method: "DELETE", paths: take(WARMUP), headers, connections: CONNECTIONS })
    const perRound = Math.floor((paths.length - next) / (ROUNDS * SETUPS.length))
    const fresh = (): Tally => ({ results: [], seconds: [], requests: 0, serverMs: 0, backendMs: 0 })
    const tally: Record<Setup, Tally> = { bare: fresh(), one: fresh(), two: fresh() }
    const serversOf = (setup: Setup) => (setup === "bare" ? [bare] : setup === "one" ? [gateways[0]!] : gateways)

    const runSetup = async (setup: Setup, round: number) => {
      const slice = take(perRound)
      const servers = serversOf(setup)
      const cpu0 = servers.reduce((s, p) => s + p.cpuSeconds(), 0)
      const backends0 = await backendCpu()
      const started = performance.now()
      const rs = setup === "two"
        ? await Promise.all([0, 1].map((i) => {
          const half = Math.floor(slice.length / 2)
          return runLoad({ baseUrl: url(i), method: "DELETE", paths: i === 0 ? slice.slice(0, half) : slice.slice(half), headers, connections: CONNECTIONS / 2 })
        }))
        : [await runLoad({ baseUrl: setup === "bare" ? bareUrl : url(0), method: "DELETE", paths: slice, headers, connections: CONNECTIONS })]
      const seconds = (performance.now() - started) / 1000
      const t = tally[setup]
      t.serverMs += (servers.reduce((s, p) => s + p.cpuSeconds(), 0) - cpu0) * 1000
      t.backendMs += backendDelta(backends0, await backendCpu())
      t.results.push(...rs)
      t.seconds.push(seconds)
      const total = rs.reduce((n, r) => n + r.requests, 0)
      t.requests += total
      if (setup === "two") {
        console.log(`round ${round + 1} two gateways, ${CONNECTIONS / 2} + ${CONNECTIONS / 2} connections  ${(total / seconds).toFixed(0).padStart(6)} req/s  ` +
          rs.map((r, i) => `[gateway ${i + 1}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms ${JSON.stringify(r.statuses)}]`).join(" "))
      } else {
        console.log(`round ${round + 1} ${setup === "bare" ? "bare baseline," : "one gateway, "} ${CONNECTIONS} connections       ${fmt(rs[0]!)}`)
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < SETUPS.length; i++) await runSetup(SETUPS[(i + round) % SETUPS.length]!, round)
    }

    // Every removal left its audit record and one well-formed lead.removed event, whoever served it.
    const records = await db.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.all([
        sql<{ n: number }>`SELECT count(*) AS n FROM leads WHERE state = 'removed'`,
        sql<{ n: number }>`SELECT count(*) AS n FROM lead_removals`,
        sql<{ payload: string }>`SELECT payload FROM outbox_events WHERE type = 'lead.removed'`
      ])))
    const [removedLeads, audits, events] = [Number(records[0][0]!.n), Number(records[1][0]!.n), records[2]]
    const keys = "lead_id,campaign_id,phone_number,removed_from,call_in_progress,reason,api_key_id,removed_at"
    const wellFormed = events.filter((e) => Object.keys(JSON.parse(e.payload) as object).join(",") === keys).length
    if (audits !== removedLeads || events.length !== removedLeads || wellFormed !== removedLeads) {
      throw new Error(`removed leads ${removedLeads}, audit records ${audits}, lead.removed events ${events.length} (${wellFormed} well-formed)`)
    }

    const rate = (s: Setup) => tally[s].requests / tally[s].seconds.reduce((a, b) => a + b, 0)
    const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const latency = (s: Setup) =>
      `p50 ${median(tally[s].results.map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(tally[s].results.map((r) => r.p99Ms)).toFixed(2)} ms`
    const perRemoval = (s: Setup, field: "serverMs" | "backendMs") => ((tally[s][field] / tally[s].requests) * 1000).toFixed(0)
    console.log("")
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}; PostgreSQL on the same machine`)
    console.log(`records: ${removedLeads} leads removed, as many audit records and lead.removed events`)
    console.log(`removals: ${perRound * ROUNDS} distinct pending leads per set-up over ${CONNECTIONS} connections, ${ROUNDS} rounds in turn`)
    console.log(`PostgreSQL, bare baseline (node:http + pg): ${rate("bare").toFixed(0)} req/s, ${latency("bare")}`)
    console.log(`PostgreSQL, one gateway:   ${rate("one").toFixed(0)} req/s, ${latency("one")}`)
    console.log(`PostgreSQL, two gateways:  ${rate("two").toFixed(0)} req/s, ${latency("two")} (median over both gateways and rounds)`)
    console.log(`ratio leadq/bare: ${(rate("one") / rate("bare")).toFixed(2)}   (one gateway against the bare baseline; target ≥ 0.50)`)
    console.log(`server CPU per removal: leadq ${perRemoval("one", "serverMs")} µs, bare ${perRemoval("bare", "serverMs")} µs, two gateways ${perRemoval("two", "serverMs")} µs (both together)`)
    console.log(`PostgreSQL backend CPU per removal: leadq ${perRemoval("one", "backendMs")} µs, bare ${perRemoval("bare", "backendMs")} µs, two gateways ${perRemoval("two", "backendMs")} µs`)
    console.log(`peak RSS: gateway 1 ${gateways[0]!.peakRssMb().toFixed(0)} MiB, gateway 2 ${gateways[1]!.peakRssMb().toFixed(0)} MiB, bare baseline ${bare.peakRssMb().toFixed(0)} MiB`)
  } finally {
    await Promise.all(running.map((p) => p.stop()))
    await db.close()
  }
}

runMain(main)
