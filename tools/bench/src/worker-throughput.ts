/**
 * Worker throughput (issue 6, benchmark 2): leads claimed → dialled → finished per second with a
 * zero-duration simulated carrier (`LEADQ_SIM_RING_MS=0 LEADQ_SIM_DURATION_MS=0`), and the delay
 * from a lead falling due to its dial.
 *
 * For each configuration — one worker process on a SQLite file, and 1, 2 and 4 worker processes
 * on PostgreSQL — on a fresh database:
 *  1. backlog: BENCH_LEADS leads over BENCH_CAMPAIGNS running campaigns all fall due at once,
 *     once every worker is up; throughput = leads finished / (last call log finished − first
 *     call log written), read from the database;
 *  2. paced: BENCH_PACED more leads fall due one after the other at BENCH_RATE per second (below
 *     capacity, so the figure is the pick-up delay and not a backlog); delay = the simulated
 *     carrier's ledger time of each dial − the lead's `scheduled_at`.
 * Every lead is checked to have exactly one dial in the ledger and one finished call log.
 *
 *   pnpm build && pnpm --filter @leadq/bench worker-throughput
 *   BENCH_CONFIGS=sqlite:1,pg:1,pg:2,pg:4 BENCH_LEADS=10000 BENCH_MAX_IN_FLIGHT=100 …
 *   BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (profile the workers)
 */
import { SqlClient } from "@effect/sql"
import { readLedgerFile } from "@leadq/telephony"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { openBenchDatabase } from "./BenchDatabase.js"
import { percentile } from "./Load.js"
import type { NodeProcess } from "./NodeProcess.js"
import { spawnNode } from "./NodeProcess.js"
import { releaseAt, releaseNow, seedQueue } from "./WorkerSeed.js"
import { runMain } from "./Main.js"

const CONFIGS = (process.env["BENCH_CONFIGS"] ?? "sqlite:1,pg:1,pg:2,pg:4").split(",").map((c) => {
  const [engine, workers] = c.split(":")
  if (engine !== "sqlite" && engine !== "pg") throw new Error(`BENCH_CONFIGS: unknown engine in ${c}`)
  return { engine, workers: Number(workers ?? 1) } as const
})
const LEADS = Number(process.env["BENCH_LEADS"] ?? 5_000)
const CAMPAIGNS = Number(process.env["BENCH_CAMPAIGNS"] ?? 20)
const PACED = Number(process.env["BENCH_PACED"] ?? 500)
const RATE = Number(process.env["BENCH_RATE"] ?? 100)
const MAX_IN_FLIGHT = process.env["BENCH_MAX_IN_FLIGHT"] ?? "100"
const LOG_LEVEL = process.env["BENCH_LOG_LEVEL"] ?? "Info"
/** e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the workers. */
const NODE_ARGS = (process.env["BENCH_WORKER_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Figures {
  readonly config: string
  readonly perSecond: number
  readonly seconds: number
  readonly delayP50: number
  readonly delayP99: number
  readonly delayMax: number
  /** CPU time of the worker processes (user + system) per lead of the backlog. */
  readonly cpuMsPerLead: number
  readonly peakRssMb: number
}

const runConfig = async (engine: "sqlite" | "pg", workers: number): Promise<Figures> => {
  const name = `${engine === "sqlite" ? "SQLite" : "PostgreSQL"}, ${workers} worker process${workers === 1 ? "" : "es"}`
  const db = await openBenchDatabase(engine)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-bench-worker-"))
  const ledgerPath = path.join(dir, "ledger.jsonl")
  const spawned: Array<NodeProcess> = []
  try {
    const backlog = await db.run(seedQueue(CAMPAIGNS, Math.ceil(LEADS / CAMPAIGNS), 2_000_000_000))
    const paced = await db.run(
      seedQueue(CAMPAIGNS, Math.ceil(PACED / CAMPAIGNS), 3_000_000_000, { id: backlog.organizationId, apiKey: backlog.apiKey })
    )
    for (let i = 1; i <= workers; i++) {
      spawned.push(spawnNode("apps/worker/dist/main.js", {
        DATABASE_URL: db.url,
        LEADQ_WORKER_ID: `bench-w${i}`,
        LEADQ_SIM_LEDGER: ledgerPath,
        LEADQ_SIM_RING_MS: "0",
        LEADQ_SIM_DURATION_MS: "0",
        LEADQ_MAX_IN_FLIGHT: MAX_IN_FLIGHT,
        LEADQ_SHUTDOWN_GRACE_MS: "5000",
        LOG_LEVEL
      }, [], NODE_ARGS))
    }
    await Promise.all(spawned.map((w) => w.waitFor(/worker starting/, 60_000)))

    const countCalled = (campaignIds: ReadonlyArray<string>) =>
      db.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.map(
          sql<{ n: number }>`SELECT count(*) AS n FROM leads WHERE state = 'called' AND ${sql.in("campaign_id", [...campaignIds])}`,
          ([r]) => Number(r?.n ?? 0)
        )))
    const waitAllCalled = async (campaignIds: ReadonlyArray<string>, total: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const n = await countCalled(campaignIds)
        if (n >= total) return
        if (Date.now() > deadline) throw new Error(`${name}: only ${n}/${total} leads called after ${timeoutMs} ms`)
        for (const w of spawned) if (!w.alive()) throw new Error(`a worker exited:\n${w.output().slice(-3000)}`)
        await sleep(100)
      }
    }

    // 1. Backlog.
    const cpuBefore = spawned.reduce((s, w) => s + w.cpuMs(), 0)
    await db.run(releaseNow(backlog.campaignIds))
    await waitAllCalled(backlog.campaignIds, backlog.leadIds.length, 600_000)
    const cpuMsPerLead = (spawned.reduce((s, w) => s + w.cpuMs(), 0) - cpuBefore) / backlog.leadIds.length
    const [span] = await db.run(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ first: number; last: number; n: number; settled: number }>`
        SELECT min(created_at) AS first, max(updated_at) AS last, count(*) AS n,
               count(CASE WHEN status = 'completed' THEN 1 END) AS settled
        FROM call_logs WHERE ${sql.in("campaign_id", [...backlog.campaignIds])}`))
    const seconds = (Number(span!.last) - Number(span!.first)) / 1000
    const perSecond = backlog.leadIds.length / seconds
    if (Number(span!.n) !== backlog.leadIds.length || Number(span!.settled) !== backlog.leadIds.length) {
      throw new Error(`${name}: ${span!.n} call logs (${span!.settled} completed) for ${backlog.leadIds.length} leads`)
    }

    // 2. Paced: leads falling due one by one, interleaved over the campaigns.
    const perCampaign = Math.ceil(PACED / CAMPAIGNS)
    const interleaved: Array<string> = []
    for (let i = 0; i < perCampaign; i++) {
      for (let c = 0; c < CAMPAIGNS; c++) {
        const id = paced.leadIds[c * perCampaign + i]
        if (id !== undefined) interleaved.push(id)
      }
    }
    const due = await db.run(releaseAt(paced.campaignIds, interleaved, Date.now() + 1_500, 1000 / RATE))
    await waitAllCalled(paced.campaignIds, interleaved.length, 120_000 + (interleaved.length * 1000) / RATE)

    const ledger = readLedgerFile(ledgerPath)
    const dials = ledger.lines.filter((l) => l.type === "dial")
    const perLead = new Map<string, number>()
    for (const d of dials) perLead.set(d.lead_id, (perLead.get(d.lead_id) ?? 0) + 1)
    const twice = [...perLead.values()].filter((n) => n > 1).length
    if (dials.length !== backlog.leadIds.length + interleaved.length || twice > 0 || ledger.malformed > 0) {
      throw new Error(`${name}: ${dials.length} dials for ${backlog.leadIds.length + interleaved.length} leads, ${twice} dialled twice, ${ledger.malformed} malformed lines`)
    }
    const delays = dials.filter((d) => due.has(d.lead_id)).map((d) => Date.parse(d.at) - due.get(d.lead_id)!).sort((a, b) => a - b)
    const peakRssMb = Math.max(...spawned.map((w) => w.peakRssMb()))
    return {
      config: name,
      perSecond,
      seconds,
      delayP50: percentile(delays, 50),
      delayP99: percentile(delays, 99),
      delayMax: delays[delays.length - 1]!,
      cpuMsPerLead,
      peakRssMb
    }
  } finally {
    await Promise.all(spawned.map((w) => w.stop()))
    await db.close()
    if (process.env["BENCH_KEEP"]) console.log(`kept ${dir} (ledger.jsonl)`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  console.log(
    `worker throughput: ${LEADS} leads due at once over ${CAMPAIGNS} campaigns, then ${PACED} falling due at ${RATE}/s; ` +
      `zero-duration simulated carrier, LEADQ_MAX_IN_FLIGHT=${MAX_IN_FLIGHT}, LOG_LEVEL=${LOG_LEVEL}`
  )
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load before ${os.loadavg()[0]!.toFixed(1)}`)
  const rows: Array<Figures> = []
  for (const { engine, workers } of CONFIGS) {
    const f = await runConfig(engine, workers)
    rows.push(f)
    console.log(
      `${f.config.padEnd(34)} ${f.perSecond.toFixed(0).padStart(6)} leads/s (${f.seconds.toFixed(2)} s, worker CPU ${f.cpuMsPerLead.toFixed(2)} ms/lead)   ` +
        `due→dial p50 ${f.delayP50.toFixed(0)} ms, p99 ${f.delayP99.toFixed(0)} ms, max ${f.delayMax.toFixed(0)} ms   worker peak RSS ${f.peakRssMb.toFixed(0)} MiB`
    )
  }
  const sqlite = rows.find((r) => r.config.startsWith("SQLite"))
  if (sqlite) console.log(`SQLite target ≥ 1000 leads/s: ${sqlite.perSecond >= 1000 ? "met" : "missed"} (${sqlite.perSecond.toFixed(0)})`)
}

runMain(main)
