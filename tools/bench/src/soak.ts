/**
 * Memory soak (issue 13): `pnpm start` (`apps/server/dist/main.js`: gateway, worker with the
 * simulated carrier, and the webhook dispatcher, in one process) on a fresh SQLite file, under a
 * mixed load for BENCH_SOAK_SECONDS (300 by default), with its resident memory sampled every
 * second. The question is whether memory levels off: the end of the run is compared with the
 * highest sample of the first minute (within 10 %: levelled off).
 *
 * The load, all through the HTTP API:
 * - removals: `DELETE /v1/campaigns-leads/{id}`, closed loop over BENCH_SOAK_CONNECTIONS (4)
 *   keep-alive connections, of leads uploaded to a campaign scheduled a year ahead (nobody dials
 *   them), plus one in ten of the leads being dialled (removed while pending, in a call, or after);
 * - uploads: CSV files (`POST /v1/campaigns-leads/upload-file/{id}`, multipart, as `bulk` sends
 *   them) — BENCH_SOAK_STOCK (2,000) rows to the removal campaign whenever fewer than that many
 *   leads are left to remove, and BENCH_SOAK_DIAL_RATE (40) rows a second to a running campaign;
 * - dials: the worker claims and dials the running campaign's leads as they are uploaded: the
 *   simulated carrier rings BENCH_SOAK_RING_MS (250) ms and talks BENCH_SOAK_TALK_MS (750) ms,
 *   the worker holds up to BENCH_SOAK_MAX_IN_FLIGHT (50; `pnpm start`'s default is 10) calls at
 *   once, so that it keeps up with the uploads (about 50 calls a second at most). Every other
 *   setting is `pnpm start`'s default, including the simulated carrier's in-memory ledger (a
 *   record of every call placed, kept for the life of the process: memory that grows with the
 *   calls made, by design of the simulation).
 * Each campaign also holds one lead scheduled a year ahead that is never removed, so that neither
 * campaign is ever complete (a complete campaign refuses uploads).
 *
 * RSS (VmRSS) is sampled every second from /proc; "start" is the first sample after
 * BENCH_SOAK_WARMUP seconds (a tenth of the run, at most 30 s), "first minute" the samples of the
 * first 60 s of load (warm-up included). Counts: removals by status, uploads and rows, calls
 * logged by the worker (from the database at the end).
 *
 *   pnpm build && pnpm --filter @leadq/bench soak
 *   (BENCH_SOAK_SECONDS, BENCH_SOAK_WARMUP, BENCH_SOAK_CONNECTIONS, BENCH_SOAK_STOCK, BENCH_SOAK_DIAL_RATE,
 *    BENCH_SOAK_RING_MS, BENCH_SOAK_TALK_MS, BENCH_SOAK_MAX_IN_FLIGHT)
 */
import { SqlClient } from "@effect/sql"
import type { E164 } from "@leadq/domain"
import { ApiKeyRepository, CampaignRepository, LeadRepository, RetryConfig } from "@leadq/domain"
import { layerSqlite, StoreLive } from "@leadq/store"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { send } from "./Load.js"
import { freePort, startProcess } from "./Processes.js"
import { runMain } from "./Main.js"

const SECONDS = Number(process.env["BENCH_SOAK_SECONDS"] ?? 300)
const WARMUP = Number(process.env["BENCH_SOAK_WARMUP"] ?? Math.min(30, SECONDS / 10))
const CONNECTIONS = Number(process.env["BENCH_SOAK_CONNECTIONS"] ?? 4)
const STOCK = Number(process.env["BENCH_SOAK_STOCK"] ?? 2_000)
const DIAL_RATE = Number(process.env["BENCH_SOAK_DIAL_RATE"] ?? 40)
const MAX_IN_FLIGHT = process.env["BENCH_SOAK_MAX_IN_FLIGHT"] ?? "50"
const RING_MS = process.env["BENCH_SOAK_RING_MS"] ?? "250"
const TALK_MS = process.env["BENCH_SOAK_TALK_MS"] ?? "750"

const YEAR_AHEAD = () => new Date(Date.now() + 365 * 86_400_000)

/** The organization, a running campaign to dial and a campaign a year ahead to remove from. */
const seed = (file: string) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeyRepository
    const campaigns = yield* CampaignRepository
    const leads = yield* LeadRepository
    const sql = yield* SqlClient.SqlClient
    const issued = yield* keys.createKey("soak")
    const create = (name: string, scheduled_at: Date) =>
      campaigns.create(issued.organization_id, {
        name,
        agent_id: "agent_soak",
        from_phone_number: "+14155550100" as E164,
        max_concurrent_calls: 100,
        retry_config: new RetryConfig({ max_retries: 0, retry_interval_minutes: 60 }),
        scheduled_at
      })
    const dial = yield* create("soak: dialled", new Date(Date.now() - 1_000))
    const removal = yield* create("soak: removed", YEAR_AHEAD())
    // The sentinels: one pending lead each that no one dials or removes.
    for (const [campaign, phone] of [[dial.id, "+19000000001"], [removal.id, "+19000000002"]] as const) {
      yield* leads.addMany(issued.organization_id, campaign, [{ name: "sentinel", phone_number: phone as E164, notes: {} }])
    }
    yield* sql`UPDATE leads SET scheduled_at = ${YEAR_AHEAD().getTime()} WHERE name = 'sentinel'`
    return { apiKey: issued.api_key, dialCampaign: dial.id as string, removalCampaign: removal.id as string }
  }).pipe(Effect.provide(StoreLive.pipe(Layer.provideMerge(layerSqlite(file)))))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const main = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leadq-soak-"))
  const file = path.join(dir, "soak.db")
  const seeded = await Effect.runPromise(seed(file))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const server = await startProcess(
    "apps/server/dist/main.js",
    {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${file}`,
      LOG_LEVEL: "Warning",
      LEADQ_SIM_RING_MS: RING_MS,
      LEADQ_SIM_DURATION_MS: TALK_MS,
      LEADQ_MAX_IN_FLIGHT: MAX_IN_FLIGHT
    },
    `${baseUrl}/healthz`
  )
  // The ids of new leads, read from the file as they commit (WAL: a reader does not block the server).
  const reader = new Database(file, { readonly: true, timeout: 10_000 })
  const newLeads = reader.prepare<[number], { seq: number; id: string; campaign_id: string }>(
    "SELECT seq, id, campaign_id FROM leads WHERE seq > ? ORDER BY seq"
  )
  let lastSeq = Number((reader.prepare("SELECT max(seq) AS s FROM leads").get() as { s: number }).s)
  const toRemove: Array<string> = []
  let removeHead = 0
  let dialled = 0
  const collect = () => {
    for (const row of newLeads.all(lastSeq)) {
      lastSeq = row.seq
      // Every lead of the removal campaign, one in ten of the dialled campaign.
      if (row.campaign_id === seeded.removalCampaign || dialled++ % 10 === 0) toRemove.push(row.id)
    }
  }

  const headers = { authorization: `Bearer ${seeded.apiKey}` }
  const counts = { removals: {} as Record<string, number>, uploads: 0, uploadFailures: 0, rows: 0 }
  let phone = 2_000_000_000
  const upload = async (campaignId: string, rows: number) => {
    let csv = "phone_number,name,city,plan\n"
    for (let i = 0; i < rows; i++) csv += `+1${phone++},Lead ${phone},Austin,${i % 3 === 0 ? "gold" : "basic"}\n`
    const form = new FormData()
    form.append("file", new Blob([csv], { type: "text/csv" }), "leads.csv")
    const response = await fetch(`${baseUrl}/v1/campaigns-leads/upload-file/${campaignId}`, { method: "POST", headers, body: form })
    const body = (await response.json()) as { leads_created?: number }
    if (response.status === 201) {
      counts.uploads++
      counts.rows += body.leads_created ?? 0
    } else {
      counts.uploadFailures++
      console.error(`upload to ${campaignId}: ${response.status} ${JSON.stringify(body)}`)
    }
    collect()
  }

  const started = performance.now()
  const elapsed = () => (performance.now() - started) / 1000
  const over = () => elapsed() >= SECONDS
  const samples: Array<{ t: number; mb: number }> = []
  const sampler = setInterval(() => samples.push({ t: elapsed(), mb: server.rssMb() }), 1_000)

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const base = new URL(baseUrl)
  const remover = async () => {
    while (!over()) {
      if (removeHead >= toRemove.length) {
        await sleep(20)
        continue
      }
      const id = toRemove[removeHead++]!
      const status = await send(agent, base, "DELETE", `/v1/campaigns-leads/${id}`, headers).catch(() => 0)
      counts.removals[status] = (counts.removals[status] ?? 0) + 1
    }
  }
  const stocker = async () => {
    while (!over()) {
      if (toRemove.length - removeHead < STOCK) await upload(seeded.removalCampaign, STOCK)
      else await sleep(100)
    }
  }
  const feeder = async () => {
    // DIAL_RATE rows a second, in one upload a second.
    for (let second = 0; !over(); second++) {
      await upload(seeded.dialCampaign, DIAL_RATE)
      const wait = (second + 1) * 1000 - (performance.now() - started)
      if (wait > 0) await sleep(Math.min(wait, Math.max(0, SECONDS * 1000 - (performance.now() - started))))
    }
  }
  try {
    await Promise.all([stocker(), feeder(), ...Array.from({ length: CONNECTIONS }, remover)])
  } finally {
    clearInterval(sampler)
    agent.destroy()
  }
  const seconds = elapsed()
  const peakHwm = server.peakRssMb()
  const calls = reader.prepare("SELECT status, count(*) AS n FROM call_logs GROUP BY status ORDER BY status").all() as Array<{ status: string; n: number }>
  reader.close()
  await server.stop()
  fs.rmSync(dir, { recursive: true, force: true })

  if (samples.length === 0) throw new Error("no RSS sample taken")
  const startSample = samples.find((s) => s.t >= WARMUP) ?? samples[0]!
  const firstMinute = samples.filter((s) => s.t < 60)
  const firstMinuteMax = Math.max(...firstMinute.map((s) => s.mb))
  const peak = samples.reduce((a, b) => (b.mb > a.mb ? b : a))
  const end = samples.at(-1)!
  const removals = Object.values(counts.removals).reduce((a, b) => a + b, 0)
  const callCount = calls.reduce((n, c) => n + c.n, 0)
  const mb = (x: number) => `${x.toFixed(0)} MiB`
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`)
  console.log(`soak: ${seconds.toFixed(0)} s of mixed load on pnpm start (SQLite), ${samples.length} RSS samples; ${CONNECTIONS} removal connections, ` +
    `${DIAL_RATE} leads/s uploaded to dial, calls of ${RING_MS} + ${TALK_MS} ms, LEADQ_MAX_IN_FLIGHT=${MAX_IN_FLIGHT}`)
  console.log(`removals: ${removals} (${(removals / seconds).toFixed(0)}/s) ${JSON.stringify(counts.removals)}`)
  console.log(`uploads: ${counts.uploads} (${counts.rows} rows, ${counts.uploadFailures} refused)`)
  console.log(`dials: ${callCount} calls logged ${JSON.stringify(Object.fromEntries(calls.map((c) => [c.status, c.n])))}`)
  console.log(`RSS: start ${mb(startSample.mb)} (at ${startSample.t.toFixed(0)} s), peak ${mb(peak.mb)} (at ${peak.t.toFixed(0)} s; VmHWM ${mb(peakHwm)}), ` +
    `end ${mb(end.mb)} (at ${end.t.toFixed(0)} s), first minute's max ${mb(firstMinuteMax)}`)
  // About ten points of the curve, for its shape.
  const step = Math.max(1, Math.round(samples.length / 10))
  console.log(`RSS over time: ${samples.filter((_, i) => i % step === 0 || i === samples.length - 1).map((x) => `${x.t.toFixed(0)} s ${x.mb.toFixed(0)}`).join(", ")} (MiB)`)
  console.log(`end within 10 % of the first minute's max: ${end.mb <= firstMinuteMax * 1.1 ? "yes" : "no"} (${((end.mb / firstMinuteMax - 1) * 100).toFixed(1)} %)`)
  if (SECONDS < 60) console.log("(a run under 60 s: its first minute is the whole run)")
}

runMain(main)
