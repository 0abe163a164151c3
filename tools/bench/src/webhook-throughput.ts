/**
 * Outgoing webhooks (issue 12): how fast the dispatcher delivers, and what it costs the removal.
 *
 * 1. Events delivered per second to a local receiver (node:http in this process, answering 204
 *    at once), on SQLite and on PostgreSQL: `BENCH_EVENTS` outbox events of one organization,
 *    then a worker process (`apps/worker/dist/main.js`, whose dispatcher delivers them) started on
 *    the database; timed from the first delivery received to the last. Once with one endpoint
 *    (one delivery at a time: head-of-line order), once with `BENCH_ENDPOINTS` endpoints (each gets
 *    every event; endpoints are served concurrently).
 * 2. Removal throughput with webhooks on vs off, in the same run, rounds alternating: two
 *    `pnpm start` processes (`apps/server/dist/main.js`: gateway, worker and dispatcher) on two
 *    copies of one seeded SQLite database, one with `LEADQ_WEBHOOKS=true` and two endpoints
 *    subscribed to `lead.removed` — a fast receiver and one that answers after 10 s — the other
 *    with `LEADQ_WEBHOOKS=false`. Each removal's `lead.removed` is delivered while the load runs.
 *
 *   pnpm build && node tools/bench/dist/webhook-throughput.js
 *   (BENCH_EVENTS, BENCH_ENDPOINTS, BENCH_LEADS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_ENGINES=sqlite,pg)
 */
import { SqlClient } from "@effect/sql"
import { randomToken } from "@leadq/domain"
import { isPgReachable } from "@leadq/store/testing"
import Sqlite from "better-sqlite3"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { openBenchDatabase } from "./BenchDatabase.js"
import { type LoadResult, runLoad } from "./Load.js"
import { runMain } from "./Main.js"
import { freePort, repoRoot, startProcess } from "./Processes.js"
import { seedSqlite } from "./Seed.js"

const EVENTS = Number(process.env["BENCH_EVENTS"] ?? 5_000)
const ENDPOINTS = Number(process.env["BENCH_ENDPOINTS"] ?? 8)
const LEADS = Number(process.env["BENCH_LEADS"] ?? 20_000)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 4)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 32)
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 1_000)

/** Settings of the dispatcher under test: a short poll, so the first delivery is not a wait. */
const DISPATCHER_ENV = { LEADQ_WEBHOOK_POLL_INTERVAL_MS: "50", LEADQ_WEBHOOK_TIMEOUT_MS: "15000", LEADQ_WEBHOOK_LEASE_MS: "30000", LOG_LEVEL: "Warning" }

/** A local receiver: counts what arrives per path; `/slow…` answers after 10 s. */
const startReceiver = async () => {
  const counts = new Map<string, number>()
  let first = 0
  let last = 0
  const server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      const path = req.url ?? "/"
      const answer = () => {
        const now = performance.now()
        if (first === 0) first = now
        last = now
        counts.set(path, (counts.get(path) ?? 0) + 1)
        res.writeHead(204).end()
      }
      if (path.startsWith("/slow")) setTimeout(answer, 10_000)
      else answer()
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as AddressInfo).port
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    total: (prefix = "/") => [...counts].filter(([p]) => p.startsWith(prefix)).reduce((n, [, c]) => n + c, 0),
    reset: () => {
      counts.clear()
      first = 0
      last = 0
    },
    span: () => (last - first) / 1000,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((r) => server.close(() => r()))
    }
  }
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>

const endpointRow = (organization_id: string, url: string, events: ReadonlyArray<string>) => ({
  id: `wh_${randomToken()}`,
  organization_id,
  url,
  events: JSON.stringify(events),
  secret: `whsec_${randomToken()}`,
  enabled: 1,
  description: null,
  api_key_id: "key_bench",
  created_at: Date.now() - 60_000,
  updated_at: Date.now(),
  deleted_at: null
})

/** `count` outbox events (as the changing transactions write them), in transactions of 500. */
const appendOutbox = (organization_id: string, count: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (let i = 0; i < count; i += 500) {
      const rows = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
        id: `evt_${randomToken()}`,
        organization_id,
        type: "lead.removed",
        payload: JSON.stringify({ lead_id: `lead_${i + j}`, campaign_id: "cmp_bench", removed_from: "pending", reason: "bench" }),
        created_at: Date.now()
      }))
      yield* sql.withTransaction(sql`INSERT INTO outbox_events ${sql.insert(rows)}`)
    }
  })

/** A worker process (its dispatcher) on `databaseUrl`, stopped by the returned function. */
const startWorker = (databaseUrl: string) => {
  const child = spawn(process.execPath, [path.join(repoRoot, "apps/worker/dist/main.js")], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LEADQ_WORKER_ID: `bench-${process.pid}`, ...DISPATCHER_ENV },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  return {
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
      })
  }
}

const waitFor = async (done: () => boolean, what: string, output: () => string, timeoutMs = 600_000) => {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not finish in time:\n${output()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Deliveries per second for `endpoints` endpoints each receiving `EVENTS` events, on a fresh database. */
const deliveryRate = async (engine: "sqlite" | "pg", endpoints: number, receiver: Receiver) => {
  const db = await openBenchDatabase(engine)
  try {
    const org = `org_bench_${randomToken(8)}`
    const prefix = `/${engine}-${endpoints}-`
    await db.run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      for (let e = 0; e < endpoints; e++) {
        yield* sql`INSERT INTO webhook_endpoints ${sql.insert(endpointRow(org, receiver.url(`${prefix}${e}`), ["lead.removed"]))}`
      }
      yield* appendOutbox(org, EVENTS)
    }))
    receiver.reset()
    const worker = startWorker(db.url)
    try {
      await waitFor(() => receiver.total(prefix) >= EVENTS * endpoints, `delivery on ${engine}`, worker.output)
    } finally {
      await worker.stop()
    }
    return { deliveries: receiver.total(prefix), perSecond: receiver.total(prefix) / receiver.span() }
  } finally {
    await db.close()
  }
}

const fmt = (r: LoadResult) =>
  `${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  ${JSON.stringify(r.statuses)}`

const removalOnOff = async (receiver: Receiver) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-wh-"))
  try {
    const onDb = path.join(dir, "on.db")
    const offDb = path.join(dir, "off.db")
    const seeded = await Effect.runPromise(seedSqlite(onDb, 1, LEADS))
    fs.copyFileSync(onDb, offDb)
    const sqlite = new Sqlite(onDb)
    try {
      const insert = sqlite.prepare(`INSERT INTO webhook_endpoints (id, organization_id, url, events, secret, enabled, description, api_key_id, created_at, updated_at, deleted_at)
        VALUES (@id, @organization_id, @url, @events, @secret, @enabled, @description, @api_key_id, @created_at, @updated_at, @deleted_at)`)
      insert.run(endpointRow(seeded.organizationId, receiver.url("/removal-fast"), ["lead.removed", "call.ended"]))
      insert.run(endpointRow(seeded.organizationId, receiver.url("/slow-removal"), ["lead.removed", "call.ended"]))
    } finally {
      sqlite.close()
    }
    receiver.reset()
    const headers = { authorization: `Bearer ${seeded.apiKey}` }
    const paths = seeded.leadIds.map((id) => `/v1/campaigns-leads/${id}`)
    const ports = { on: await freePort(), off: await freePort() }
    const server = (port: number, file: string, webhooks: boolean) =>
      startProcess(
        "apps/server/dist/main.js",
        { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `sqlite:${file}`, LEADQ_WEBHOOKS: String(webhooks), ...DISPATCHER_ENV },
        `http://127.0.0.1:${port}/healthz`
      )
    const processes = { on: await server(ports.on, onDb, true), off: await server(ports.off, offDb, false) }
    try {
      const url = (name: "on" | "off") => `http://127.0.0.1:${ports[name]}`
      for (const name of ["on", "off"] as const) {
        await runLoad({ baseUrl: url(name), method: "DELETE", paths: paths.slice(0, WARMUP), headers, connections: CONNECTIONS })
      }
      const perRound = Math.floor((paths.length - WARMUP) / ROUNDS)
      const results = { on: [] as Array<LoadResult>, off: [] as Array<LoadResult> }
      for (let round = 0; round < ROUNDS; round++) {
        const slice = paths.slice(WARMUP + round * perRound, WARMUP + (round + 1) * perRound)
        for (const name of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
          const r = await runLoad({ baseUrl: url(name), method: "DELETE", paths: slice, headers, connections: CONNECTIONS })
          results[name].push(r)
          console.log(`round ${round + 1} webhooks ${name.padEnd(3)} ${fmt(r)}`)
        }
      }
      const rate = (rs: ReadonlyArray<LoadResult>) => rs.reduce((n, r) => n + r.requests, 0) / rs.reduce((s, r) => s + r.seconds, 0)
      const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
      const line = (name: "on" | "off") =>
        `${rate(results[name]).toFixed(0)} req/s, p50 ${median(results[name].map((r) => r.p50Ms)).toFixed(2)} ms, p99 ${median(results[name].map((r) => r.p99Ms)).toFixed(2)} ms`
      console.log(`removal, webhooks off: ${line("off")}`)
      console.log(`removal, webhooks on:  ${line("on")}`)
      console.log(`  lead.removed events delivered to the fast receiver meanwhile: ${receiver.total("/removal-fast")}; the 10 s receiver: ${receiver.total("/slow-removal")}`)
      console.log(`ratio on/off: ${(rate(results.on) / rate(results.off)).toFixed(2)}   (target ≥ 0.90)`)
    } finally {
      await Promise.all([processes.on.stop(), processes.off.stop()])
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  const wanted = (process.env["BENCH_ENGINES"] ?? "sqlite,pg").split(",")
  const engines = wanted.filter((e): e is "sqlite" | "pg" => e === "sqlite" || e === "pg")
  const pg = engines.includes("pg") && (await isPgReachable())
  const receiver = await startReceiver()
  try {
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`)
    for (const engine of engines) {
      if (engine === "pg" && !pg) {
        console.log("PostgreSQL not reachable (LEADQ_TEST_PG_URL): its figures are left out")
        continue
      }
      const name = engine === "pg" ? "PostgreSQL" : "SQLite"
      const one = await deliveryRate(engine, 1, receiver)
      console.log(`${name}, 1 endpoint:  ${one.perSecond.toFixed(0)} events/s delivered (${one.deliveries} events, one at a time in order)`)
      const many = await deliveryRate(engine, ENDPOINTS, receiver)
      console.log(`${name}, ${ENDPOINTS} endpoints: ${many.perSecond.toFixed(0)} deliveries/s (${many.deliveries} = ${EVENTS} events × ${ENDPOINTS})`)
    }
    await removalOnOff(receiver)
  } finally {
    await receiver.close()
  }
}

runMain(main)
